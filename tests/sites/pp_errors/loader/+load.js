module.exports = (api) => {
  const value = 1
  return { value: api.noSuchLoaderHelper(value) }
}
