// Object form: the returned object is merged into data.
const trail = require('trail')
module.exports = (api) => {
  trail.push('mw:root')
  return { rootMw: 'root', authType: typeof api.request.auth, queryN: api.params.n, shared: { a: 1 } }
}
