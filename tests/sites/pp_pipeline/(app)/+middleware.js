// (api, next) form: continues only through next().
module.exports = function (api, next) {
  require('trail').push('mw:app')
  if (api.params.block) {
    api.response.json(403, { blocked: true })
    return
  }
  if (api.params.go) {
    api.redirect('/elsewhere')
    return
  }
  next({ appMw: 'app', shared: { b: 2 } })
}
