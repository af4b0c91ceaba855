module.exports = 'private-local'
