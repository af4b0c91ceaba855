// The plugins this site uses, named as in a PocketPages project: EJS pages, Markdown pages
// (docs.md), the micro-dash helpers (forEach, keys) and sign-in.
module.exports = {
  plugins: [
    'pocketpages-plugin-ejs',
    'pocketpages-plugin-marked',
    'pocketpages-plugin-micro-dash',
    'pocketpages-plugin-auth',
  ],
}
