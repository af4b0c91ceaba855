// Error data of every shape a hook may throw (tests/hooks/test_auth_hooks_oracle.py), and record hooks only on
// a cascaded collection (comments) and a cleared one (tags), none on posts.

routerAdd("GET", "/t/err/{shape}", (e) => {
  const shapes = {
    fields: { title: { code: "c1", message: "m1" }, body: { code: "c2", message: "m2 here" } },
    text: { title: "x" }, number: { n: 5 }, nested: { a: { b: "x" } }, deep: { a: { b: { code: "c", message: "m" } } },
    extra: { title: { code: "c", message: "m", params: { max: 3 } } }, list: [1, 2], str: "plain", none: null,
    empty: {}, mixed: { ok: { code: "ok_code", message: "fine" }, bad: 7, t: true },
  };
  throw new BadRequestError("shaped", shapes[e.request.pathValue("shape")]);
});

routerAdd("GET", "/t/apierr/{shape}", (e) => {
  throw new ApiError(422, "api shaped", e.request.pathValue("shape") === "fields" ? { x: { code: "xc", message: "xm" } } : { x: 1 });
});

onRecordCreate((e) => {
  if (e.record.getString("title") === "shaped") throw new BadRequestError("create shaped", { title: { code: "c1", message: "m1" } });
  e.next();
}, "posts");

onRecordCreateRequest((e) => {
  if (e.record.getString("title") === "req-shaped") throw new BadRequestError("request shaped", { title: { code: "c2", message: "m2" }, n: 1 });
  e.next();
}, "posts");

onRecordDelete((e) => {
  const log = $app.store().get("cascade") || "";
  $app.store().set("cascade", log + "delete:" + e.record.getString("text") + ";");
  if (e.record.getString("text") === "guard") throw new BadRequestError("comment guarded");
  e.next();
}, "comments");

onRecordAfterDeleteSuccess((e) => {
  const log = $app.store().get("cascade") || "";
  $app.store().set("cascade", log + "deleted:" + e.record.getString("text") + ";");
  e.next();
}, "comments");

onRecordUpdate((e) => {
  const log = $app.store().get("cascade") || "";
  $app.store().set("cascade", log + "update:" + e.record.getString("name") + ":" + e.record.getString("post") + ";");
  e.next();
}, "tags");

routerAdd("GET", "/t/cascade", (e) => {
  const value = $app.store().get("cascade") || "";
  $app.store().set("cascade", "");
  return e.json(200, { v: value });
});
