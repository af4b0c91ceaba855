// Request hooks around PocketBase's REST API (tests/hooks/test_request_hooks_oracle.py).
// (PocketBase runs each handler in a VM of its own: no top-level helpers here.)

onRecordCreateRequest((e) => {
  const title = e.record.getString("title");
  if (title === "refuse") throw new BadRequestError("refused by hook");
  if (title === "answer") return e.json(201, { answered: true, isNew: e.record.isNew(), title: title, coll: e.collection.name });
  if (title === "plain-throw") throw new Error("boom");
  if (title === "spin") for (;;) { /* pagesvm's --timeout stops it (tests/hooks/test_request_hooks_units.py) */ }
  if (title === "leak") globalThis.leaked = "yes";
  const before = [title, e.record.isNew(), e.record.id === "", e.collection.name, e.requestInfo().method,
    String(e.auth ? e.auth.email() : null), JSON.stringify(Object.keys(e.requestInfo().body).sort())].join("|");
  e.record.set("title", title.toUpperCase());
  e.next();
  $app.store().set("create", before + "|after:" + e.record.isNew() + "|" + e.record.getString("title"));
  e.record.set("title", "after-next-ignored");
}, "posts");

onRecordUpdateRequest((e) => {
  if (e.record.getString("title") === "locked") throw new ForbiddenError("locked");
  $app.store().set("update", e.record.getString("title") + "|" + e.record.isNew());
  e.record.set("n", 42);
  return e.next();
}, "posts");

onRecordDeleteRequest((e) => {
  if (e.record.getString("title") === "KEEP") throw new BadRequestError("keep me");
  e.next();
  $app.store().set("delete", e.record.getString("title"));
});

onRecordViewRequest((e) => {
  if (e.requestInfo().query.custom === "1") return e.json(200, { custom: e.record.getString("title") });
  e.record.set("title", e.record.getString("title") + " (viewed)" + (globalThis.leaked ? " leaked" : ""));
  return e.next();
}, "notes");

onRecordsListRequest((e) => {
  if (e.requestInfo().query.deny === "1") throw new ForbiddenError("no listing");
  $app.store().set("list", [e.records.length, e.result.page, e.result.perPage, e.result.totalItems, e.collection.name].join("|"));
  for (const r of e.records) r.set("title", "listed:" + r.getString("title"));
  e.next();
}, "notes");

onRecordEnrich((e) => {
  e.record.hide("secret");
  e.record.withCustomData(true);
  e.record.set("extra", "x-" + e.record.getString("title"));
  e.next();
}, "posts");

onRecordAuthRequest((e) => {
  e.meta = { hello: "world", method: e.authMethod, hasToken: e.token.length > 10 };
  e.setCookie({ name: "pb_auth", value: "tok-" + e.record.email(), path: "/", httpOnly: true });
  e.next();
}, "users");

onRecordAuthWithPasswordRequest((e) => {
  if (e.identity === "blocked@example.com") throw new BadRequestError("blocked");
  $app.store().set("authpw", [e.identity, e.password.length, e.record ? e.record.email() : null].join("|"));
  return e.next();
}, "users");

routerAdd("GET", "/t/store/{key}", (e) => e.json(200, { v: $app.store().get(e.request.pathValue("key")) || null }));
