module.exports = {
  plugins: [{ name: 'pocketpages-plugin-ejs', extensions: ['.ejs', '.md'] }, 'pocketpages-plugin-marked'],
  debug: false,
}
