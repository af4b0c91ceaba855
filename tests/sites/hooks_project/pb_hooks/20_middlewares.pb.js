/// <reference path="../pb_data/types.d.ts" />
// Middlewares: order, priorities, e.next(), short-circuits, $apis guards.
routerUse((e) => {
  e.response.header().set("X-Global", "1")
  return e.next()
})

routerAdd("GET", "/api/t/mw", (e) => e.json(200, { order: e.get("order") }),
  (e) => { e.set("order", (e.get("order") || "") + "A"); return e.next() },
  new Middleware((e) => { e.set("order", (e.get("order") || "") + "B"); return e.next() }, -10),
  (e) => { e.set("order", (e.get("order") || "") + "C"); return e.next() })
routerAdd("GET", "/api/t/mw/stop", (e) => e.json(200, { reached: true }),
  (e) => e.json(202, { stopped: true }))
routerAdd("GET", "/api/t/mw/throw", (e) => e.json(200, { reached: true }),
  (e) => { throw new ForbiddenError("not you") })
routerAdd("GET", "/api/t/me", (e) => e.json(200, { id: e.auth.id.length, email: e.auth.getString("email"), collection: e.auth.collection().name }),
  $apis.requireAuth())
routerAdd("GET", "/api/t/me/users", (e) => e.json(200, { ok: true }), $apis.requireAuth("users"))
routerAdd("GET", "/api/t/me/other", (e) => e.json(200, { ok: true }), $apis.requireAuth("other"))
routerAdd("GET", "/api/t/guest", (e) => e.json(200, { guest: true }), $apis.requireGuestOnly())
routerAdd("GET", "/api/t/admin", (e) => e.json(200, { admin: true }), $apis.requireSuperuserAuth())
routerAdd("GET", "/api/t/whoami", (e) => e.json(200, { auth: e.auth ? e.auth.getString("email") : null }))
routerAdd("POST", "/api/t/limited", (e) => e.json(200, { size: JSON.stringify(e.requestInfo().body).length }), $apis.bodyLimit(64))
routerAdd("GET", "/api/t/gzip", (e) => e.json(200, { zipped: false }), $apis.gzip())
routerAdd("GET", "/api/t/owner/{id}", (e) => e.json(200, { owner: e.request.pathValue("id").length }),
  $apis.requireSuperuserOrOwnerAuth("id"))
routerAdd("GET", "/api/t/owner-default/{id}", (e) => e.json(200, { owner: true }), $apis.requireSuperuserOrOwnerAuth())
routerAdd("GET", "/api/t/owner-named/{who}", (e) => e.json(200, { owner: true }), $apis.requireSuperuserOrOwnerAuth("who"))
// What $apis hands out: the binary's ids and priorities, and the JSON of each.
routerAdd("GET", "/api/t/apis/shape", (e) => {
  const made = [$apis.requireAuth(), $apis.requireAuth("users"), $apis.requireSuperuserAuth(), $apis.requireGuestOnly(),
    $apis.requireSuperuserOrOwnerAuth("id"), $apis.bodyLimit(10), $apis.gzip(), $apis.skipSuccessActivityLog()]
  return e.json(200, made.map((m) => [m.id, m.priority, typeof m.func, JSON.stringify(m)]))
})
