module.exports = (api) => {
  require('trail').push('load')
  return { load: 'load', seenData: Object.keys(api.data).sort() }
}
