// A cycle: a requires b, b requires a and sees a's partial exports (as in Node).
const a = require('../a')
module.exports = { name: 'b', sawA: a.name }
