/// <reference path="../pb_data/types.d.ts" />
// The realtime hooks of tests/hooks/test_realtime_hooks_oracle.py, run on the binary and on pagesvm alike. Each
// handler notes what it saw in $app.store() ("rtlog", read back by GET /api/rtlog); POST /api/rtmode picks what the
// connect hook does, /api/rtsend sends a client a message, /api/rtcreate saves a post (no REST answer to enrich).
// (PocketBase runs each handler in a VM of its own: the note function is written in each.)
onRealtimeConnectRequest((e) => {
  const note = (x) => { const l = JSON.parse($app.store().get("rtlog") || "[]"); l.push(x); $app.store().set("rtlog", JSON.stringify(l)); };
  const mode = $app.store().get("rtmode") || "";
  note({ hook: "connect", mode, idle: String(e.idleTimeout), auth: e.auth ? "yes" : null, hasId: typeof e.client.id() === "string" && e.client.id().length });
  if (mode === "refuse") return;
  if (mode === "throw") throw new BadRequestError("no stream for you");
  if (mode === "short") e.idleTimeout = 1500 * 1000 * 1000;
  e.next();
});
onRealtimeSubscribeRequest((e) => {
  const note = (x) => { const l = JSON.parse($app.store().get("rtlog") || "[]"); l.push(x); $app.store().set("rtlog", JSON.stringify(l)); };
  const subs = e.subscriptions;
  note({ hook: "subscribe", subs: Array.from(subs), auth: e.auth ? e.auth.email() : null });
  if (subs.indexOf("forbidden") >= 0) throw new ForbiddenError("not that topic");
  if (subs.indexOf("quiet") >= 0) return;
  if (subs.indexOf("posts/*") >= 0) e.subscriptions = subs.concat(["extra"]);
  e.next();
});
onRealtimeMessageSend((e) => {
  const note = (x) => { const l = JSON.parse($app.store().get("rtlog") || "[]"); l.push(x); $app.store().set("rtlog", JSON.stringify(l)); };
  const data = toString(e.message.data);
  note({ hook: "message", name: e.message.name, data: e.message.name === "PB_CONNECT" ? "connect" : data, type: typeof e.message.data, isArr: Array.isArray(e.message.data) });
  if (e.message.name === "drop") return;
  if (e.message.name === "change") e.message.data = "changed:" + data;
  if (e.message.name === "rename") e.message.name = "renamed";
  e.next();
});
onRecordEnrich((e) => {
  const note = (x) => { const l = JSON.parse($app.store().get("rtlog") || "[]"); l.push(x); $app.store().set("rtlog", JSON.stringify(l)); };
  note({ hook: "enrich", id: e.record.id, ctx: e.requestInfo.context, auth: e.requestInfo.auth ? e.requestInfo.auth.email() : null, q: e.requestInfo.query });
  if (e.record.get("title") === "hideme") e.record.hide("title");
  if (e.record.get("title") === "secret") e.record.unhide("secret");
  if (e.record.get("title") === "custom") { e.record.withCustomData(true); e.record.set("extra", 7); }
  if (e.record.get("title") === "boom") throw new BadRequestError("enrich failed");
  e.next();
}, "posts");
routerAdd("GET", "/api/rtlog", (e) => e.json(200, JSON.parse($app.store().get("rtlog") || "[]")));
routerAdd("POST", "/api/rtsend", (e) => {
  const body = e.requestInfo().body;
  const c = $app.subscriptionsBroker().clientById(body.client);
  c.send(new SubscriptionMessage({ name: body.name, data: body.data }));
  return e.json(200, { extra: c.hasSubscription("extra"), quiet: c.hasSubscription("quiet") });
});
routerAdd("POST", "/api/rtmode", (e) => { $app.store().set("rtmode", e.requestInfo().body.mode || ""); return e.json(200, {}); });
routerAdd("POST", "/api/rtcreate", (e) => {
  const record = new Record($app.findCollectionByNameOrId("posts"));
  record.set("title", e.requestInfo().body.title);
  record.set("secret", "s");
  $app.save(record);
  return e.json(200, { id: record.id });
});
