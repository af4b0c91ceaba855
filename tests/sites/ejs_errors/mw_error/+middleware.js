module.exports = (api, next) => {
  throw new Error("middleware refused")
}
