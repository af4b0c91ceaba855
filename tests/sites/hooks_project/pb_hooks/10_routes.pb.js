/// <reference path="../pb_data/types.d.ts" />
// Routes of the hooks oracle (tests/hooks/test_hooks_oracle.py): the same file runs on the real
// PocketBase and on pagesvm. TOP and twice() are for the top-level-scope test (pagesvm only).
const TOP = "top-level"
function twice(s) { return s + s }

routerAdd("GET", "/api/t/hello", (e) => e.json(200, { message: "hi" }))
routerAdd("GET", "/api/t/items/{id}", (e) => e.json(200, { id: e.request.pathValue("id"), missing: e.request.pathValue("nope") }))
routerAdd("GET", "/api/t/items/{id}/tags/{tag}", (e) => e.json(200, { id: e.request.pathValue("id"), tag: e.request.pathValue("tag") }))
routerAdd("GET", "/api/t/files/{path...}", (e) => e.json(200, { path: e.request.pathValue("path") }))
routerAdd("POST", "/api/t/echo", (e) => {
  const info = e.requestInfo()
  return e.json(200, { body: info.body, query: info.query, method: info.method, auth: info.auth ? info.auth.id.length : null })
})
routerAdd("PUT", "/api/t/echo", (e) => e.json(200, { body: e.requestInfo().body, method: e.request.method }))
routerAdd("GET", "/api/t/info", (e) => {
  const info = e.requestInfo()
  return e.json(200, {
    query: info.query, method: info.method, test: info.headers["x_test"], header: e.request.header.get("X-Test"),
    path: e.request.url.path, rawQuery: e.request.url.rawQuery, q: e.request.url.query().get("q"), host: typeof e.request.host,
  })
})
routerAdd("POST", "/api/t/bind", (e) => {
  const data = new DynamicModel({ name: "", count: 0, flag: false })
  e.bindBody(data)
  return e.json(200, { name: data.name, count: data.count, flag: data.flag })
})
routerAdd("GET", "/api/t/html", (e) => e.html(200, "<p>hi</p>"))
routerAdd("GET", "/api/t/string", (e) => e.string(201, "plain text"))
routerAdd("GET", "/api/t/nocontent", (e) => e.noContent(204))
routerAdd("GET", "/api/t/redirect", (e) => e.redirect(302, "/api/t/hello"))
routerAdd("GET", "/api/t/status", (e) => e.json(418, [1, "two", null]))
routerAdd("GET", "/api/t/header", (e) => {
  e.response.header().set("X-Custom", "yes")
  return e.json(200, { ok: true })
})
routerAdd("DELETE", "/api/t/items/{id}", (e) => e.json(200, { deleted: e.request.pathValue("id") }))
routerAdd("GET", "/api/t/nothing", (e) => {})
routerAdd("GET", "/api/t/blob/text", (e) => e.blob(200, "application/octet-stream", "blob text"))
routerAdd("GET", "/api/t/blob/bytes", (e) => e.blob(201, "text/plain; charset=utf-8", [104, 105, 33]))

// errors of each class, a plain throw, a runtime error
routerAdd("GET", "/api/t/err/bad", (e) => { throw new BadRequestError("bad thing") })
routerAdd("GET", "/api/t/err/bad-data", (e) => { throw new BadRequestError("with data", { title: "x" }) })
routerAdd("GET", "/api/t/err/bad-empty", (e) => { throw new BadRequestError() })
routerAdd("GET", "/api/t/err/notfound", (e) => { throw new NotFoundError() })
routerAdd("GET", "/api/t/err/notfound-msg", (e) => { throw new NotFoundError("no such thing") })
routerAdd("GET", "/api/t/err/forbidden", (e) => { throw new ForbiddenError() })
routerAdd("GET", "/api/t/err/unauthorized", (e) => { throw new UnauthorizedError("who are you") })
routerAdd("GET", "/api/t/err/api", (e) => { throw new ApiError(409, "conflict here") })
routerAdd("GET", "/api/t/err/api-500", (e) => { throw new ApiError(500, "server side") })
routerAdd("GET", "/api/t/err/plain", (e) => { throw new Error("boom") })
routerAdd("GET", "/api/t/err/string", (e) => { throw "just a string" })
routerAdd("GET", "/api/t/err/reference", (e) => { return notDefinedAnywhere.x })
routerAdd("GET", "/api/t/err/caught", (e) => {
  try { throw new NotFoundError("inner") } catch (err) { return e.json(200, { status: err.status, message: err.message }) }
})
