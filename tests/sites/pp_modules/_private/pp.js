module.exports = () => require('pocketpages')
