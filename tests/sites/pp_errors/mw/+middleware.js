// middleware that fails on line 3
module.exports = (api) => {
  throw new Error('middleware boom')
}
