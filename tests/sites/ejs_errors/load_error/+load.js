module.exports = (api) => {
  const title = "x"
  return { title: title.nope.deeper }
}
