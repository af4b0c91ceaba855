// A module's own function, as page code can reach it.
module.exports = { callee: arguments.callee, self: module, require }
