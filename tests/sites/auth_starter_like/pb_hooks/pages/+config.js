// The auth starter's plugin set: templates, the synchronous SDK as pb(), and sign-in helpers.
module.exports = {
  plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-js-sdk', 'pocketpages-plugin-auth'],
  debug: false,
}
