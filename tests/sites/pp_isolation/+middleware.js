// Returns an object with __proto__ / constructor keys (as a JSON body could): merged into data safely.
module.exports = (api) => JSON.parse('{"__proto__": {"mwAdmin": true}, "constructor": {"prototype": {"mwAdmin2": true}}, "mwOk": 1}')
