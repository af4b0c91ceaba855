// Templates, the synchronous SDK as pb(), and the auth plugin (requestOAuth2Login, signInWithOAuth2).
module.exports = {
  plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-js-sdk', 'pocketpages-plugin-auth'],
  debug: false,
}
