module.exports = function helper() {
  return JSON.parse('{not json')
}
