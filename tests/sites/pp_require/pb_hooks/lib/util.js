const more = require('./more')
const shared = require('../shared.json')
const folder = require('./folder')
module.exports = { util: 'util', more: more.more, shared: shared.shared, folder: folder, file: __filename, dir: __dirname, dep: require('dep').where }
