migrate((app) => {
  const posts = new Collection({ type: "base", name: "posts", listRule: "", viewRule: "", createRule: "", updateRule: "",
    deleteRule: "", fields: [ { name: "title", type: "text" }, { name: "n", type: "number" }, { name: "note", type: "text" } ] });
  app.save(posts);
  const notes = new Collection({ type: "base", name: "notes", listRule: "", viewRule: "", createRule: "", updateRule: "",
    deleteRule: "", fields: [ { name: "title", type: "text" } ] });
  app.save(notes);
  const logs = new Collection({ type: "base", name: "logs", listRule: "", viewRule: "",
    fields: [ { name: "seq", type: "number" }, { name: "msg", type: "text" } ] });
  app.save(logs);
  const users = app.findCollectionByNameOrId("users");
  users.listRule = ""; users.viewRule = ""; users.updateRule = "id = @request.auth.id";
  app.save(users);
  const u = new Record(users);
  u.set("email", "ann@example.com"); u.set("password", "secret-pass-1"); u.set("verified", true); u.set("name", "Ann");
  app.save(u);
  const p = new Record(posts); p.set("id", "post00000000001"); p.set("title", "first"); app.save(p);
  const q = new Record(posts); q.set("id", "post00000000002"); q.set("title", "keep"); app.save(q);
}, (app) => {});
