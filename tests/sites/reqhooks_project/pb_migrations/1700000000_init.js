migrate((app) => {
  const posts = new Collection({ type: "base", name: "posts", listRule: "", viewRule: "", createRule: "", updateRule: "",
    deleteRule: "", fields: [ { name: "title", type: "text" }, { name: "secret", type: "text" }, { name: "n", type: "number" } ] });
  app.save(posts);
  const notes = new Collection({ type: "base", name: "notes", listRule: "", viewRule: "", createRule: "", updateRule: "",
    deleteRule: "", fields: [ { name: "title", type: "text" }, { name: "post", type: "relation", collectionId: posts.id, maxSelect: 1 } ] });
  app.save(notes);
  const users = app.findCollectionByNameOrId("users");
  users.listRule = ""; users.viewRule = "";
  app.save(users);
  const u = new Record(users);
  u.set("email", "ann@example.com"); u.set("password", "secret-pass-1"); u.set("verified", true); u.set("name", "Ann");
  app.save(u);
  const p = new Record(posts); p.set("id", "post00000000001"); p.set("title", "first"); p.set("secret", "s1"); app.save(p);
  const n = new Record(notes); n.set("id", "note00000000001"); n.set("title", "note one"); n.set("post", p.id); app.save(n);
}, (app) => {});
