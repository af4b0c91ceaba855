module.exports = (api) => ({ twoCups: api.resolve('prices')(2) })
