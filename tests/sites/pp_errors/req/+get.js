const helper = require('./_private/helper')
module.exports = (api) => ({ v: helper() })
