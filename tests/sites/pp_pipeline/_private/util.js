const pp = require('pocketpages')
let calls = 0
module.exports = { double: (x) => x * 2, n: () => pp.params.n, calls: () => ++calls }
