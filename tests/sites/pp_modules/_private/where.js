module.exports = { where: 'root' }
