// An async function in a module: the request that runs the module drains its jobs.
module.exports = { start: () => (async () => { await null; const t = Date.now() + 2500; while (Date.now() < t) {} })() }
