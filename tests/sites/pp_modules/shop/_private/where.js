module.exports = { where: 'shop' }
