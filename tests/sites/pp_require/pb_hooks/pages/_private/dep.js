module.exports = { where: '_private/dep' }
