const { greet } = require('pocketpages')
module.exports = (api) => ({ fromLoader: greet('loader'), fromModule: api.resolve('helper').total(4) })
