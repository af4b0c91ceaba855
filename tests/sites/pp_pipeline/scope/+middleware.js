const NAMES = ['params', 'data', 'request', 'response', 'formData', 'body', 'redirect', 'echo', 'include', 'resolve', 'meta', 'asset', 'env', 'url', 'stringify', 'dbg', 'info', 'warn', 'error', 'forEach', 'keys', 'values', 'merge', 'pick', 'shuffle', 'omit']
module.exports = (api, next) => next({ mwScope: NAMES.map((n) => n + ':' + typeof api[n]).join(' ') })
