module.exports = { plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-marked'] }
