exports.name = 'a'
exports.file = __filename
exports.dir = __dirname
exports.b = require('./lib/b')
exports.fromB = exports.b.name + '<-' + exports.b.sawA
