// As the htmx starter: EJS pages, and realtime.send() for the chat.
module.exports = {
  plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-realtime'],
}
