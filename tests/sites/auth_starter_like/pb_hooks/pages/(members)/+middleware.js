// Anonymous visitors of /account and /notes go to the sign-in form with a notice.
module.exports = function (api, next) {
  if (!api.auth) {
    return api.redirect('/sign/in', { message: 'Please sign in first.' })
  }
  next()
}
