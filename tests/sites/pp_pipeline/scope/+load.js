const NAMES = ['params', 'data', 'request', 'response', 'formData', 'body', 'redirect', 'echo', 'include', 'resolve', 'meta', 'asset', 'env', 'url', 'stringify', 'dbg', 'info', 'warn', 'error', 'forEach', 'keys', 'values', 'merge', 'pick', 'shuffle', 'omit']
const pp = require('pocketpages')
module.exports = (api) => ({
  loaderScope: NAMES.map((n) => n + ':' + typeof api[n]).join(' '),
  requireScope: NAMES.map((n) => n + ':' + typeof pp[n]).join(' '),
})
