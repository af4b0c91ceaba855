// Everything under /account needs a signed-in user: anyone else is sent to the sign-in
// page with a notice, and the page itself never runs.
module.exports = function (api, next) {
  if (!api.request.auth) {
    api.redirect('/login', { message: 'Please sign in to see your account.' })
    return
  }
  next()
}
