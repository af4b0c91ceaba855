// Module-level state: pagesvm runs a module at most once per request, so this starts at 0 each time.
let n = 0
module.exports = { bump: () => ++n, value: () => n }
