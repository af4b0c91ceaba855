// Runs after on_request hooks: sees what they put in data.
module.exports = (api) => ({ seen: 'middleware saw ' + api.data.tenant })
