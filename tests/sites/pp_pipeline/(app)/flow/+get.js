module.exports = (api) => {
  require('trail').push('get')
  return { method: 'get' }
}
