// Record hooks around the REST API's own saves (tests/hooks/test_api_record_hooks_oracle.py).
// (PocketBase runs each handler in a VM of its own: no top-level helpers; each handler logs inline.)

onRecordCreate((e) => {
  const t = e.record.getString("title");
  if (t === "throw") throw new Error("create boom");
  if (t === "api-throw") throw new BadRequestError("create refused");
  if (t === "spin") for (;;) { /* stopped by pagesvm's --timeout */ }
  if (t === "stop") return;  // no e.next(): no write, the save still succeeds
  e.record.set("title", t + "!");
  e.record.set("n", e.record.getInt("n") + 7);
  e.next();
  e.record.set("note", "after-next");
}, "posts");

onRecordValidate((e) => {
  if (e.record.getString("title").indexOf("invalid") === 0) throw new BadRequestError("invalid title");
  e.next();
}, "posts");

onRecordCreateExecute((e) => {
  e.record.set("note", "exec:" + e.record.getString("title"));
  e.next();
}, "posts");

onRecordAfterCreateSuccess((e) => {
  const r = new Record($app.findCollectionByNameOrId("logs"));
  r.set("seq", $app.countRecords("logs") + 1);
  r.set("msg", "created " + e.record.getString("title") + " n=" + e.record.getInt("n") + " note=" + e.record.getString("note"));
  $app.save(r);
  e.next();
}, "posts");

onRecordAfterCreateError((e) => {
  const r = new Record($app.findCollectionByNameOrId("logs"));
  r.set("seq", $app.countRecords("logs") + 1);
  r.set("msg", "create failed " + e.record.getString("title") + ": " + String(e.error).split("\n")[0]);
  $app.save(r);
  e.next();
}, "posts");

onRecordUpdate((e) => {
  const t = e.record.getString("title");
  if (t === "locked") throw new ForbiddenError("locked by hook");
  e.record.set("n", e.record.getInt("n") + 100);
  return e.next();
}, "posts");

onRecordAfterUpdateSuccess((e) => {
  const r = new Record($app.findCollectionByNameOrId("logs"));
  r.set("seq", $app.countRecords("logs") + 1);
  r.set("msg", "updated " + e.record.collection().name + " " + e.record.getString("title") + e.record.getString("name") +
    " n=" + e.record.getInt("n"));
  $app.save(r);
  e.next();
}, "posts", "users");

onRecordUpdate((e) => {
  e.record.set("name", e.record.getString("name") + "+hook");
  e.next();
}, "users");

onRecordDelete((e) => {
  if (e.record.getString("title").indexOf("keep") === 0) throw new Error("keep me");
  e.next();
}, "posts");

onRecordAfterDeleteSuccess((e) => {
  const r = new Record($app.findCollectionByNameOrId("logs"));
  r.set("seq", $app.countRecords("logs") + 1);
  r.set("msg", "deleted " + e.record.collection().name + " " + e.record.getString("title"));
  $app.save(r);
  e.next();
});

onRecordAfterDeleteError((e) => {
  const r = new Record($app.findCollectionByNameOrId("logs"));
  r.set("seq", $app.countRecords("logs") + 1);
  r.set("msg", "delete failed " + e.record.getString("title") + ": " + String(e.error).split("\n")[0]);
  $app.save(r);
  e.next();
}, "posts");

onRecordEnrich((e) => {
  e.record.withCustomData(true);
  e.record.set("greeting", "hi " + e.record.getString("name"));
  e.next();
}, "users");
