// Bindings are also reachable from modules through require('pocketpages').
const { shop } = require('pocketpages')
module.exports = (qty) => shop.price(qty).total
