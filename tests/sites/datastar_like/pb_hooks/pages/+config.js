// As the datastar starter: EJS pages, Datastar's patches, broadcasts through realtime.
module.exports = {
  plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-datastar', 'pocketpages-plugin-realtime'],
}
