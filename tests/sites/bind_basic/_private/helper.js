const pp = require('pocketpages')
module.exports = { total: (n) => pp.shop.price(n).total }
