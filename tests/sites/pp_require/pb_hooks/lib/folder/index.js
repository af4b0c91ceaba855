module.exports = 'folder-index'
