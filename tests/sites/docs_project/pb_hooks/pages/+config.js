// EJS runs inside Markdown too, so the manual's pages can include the table of contents.
module.exports = {
  plugins: [{ name: 'pocketpages-plugin-ejs', extensions: ['.ejs', '.md'] }, 'pocketpages-plugin-marked'],
  debug: false,
}
