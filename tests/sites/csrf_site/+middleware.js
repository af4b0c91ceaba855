// Root middleware: marks every response it runs for, so a test can see whether site code ran.
module.exports = (api) => {
  api.response.cookie('mw', 'ran')
}
