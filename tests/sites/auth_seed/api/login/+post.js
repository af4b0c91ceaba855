module.exports = (api) => {
  const { signInWithPassword, signOut } = require('pocketpages')
  const body = api.body()
  const result = signInWithPassword(body.email, body.password)
  const signedIn = api.request.auth.email
  if (body.thenSignOut) signOut()
  return { email: result.record.email, signedIn, afterSignOut: api.request.auth === undefined }
}
