/// <reference path="../pb_data/types.d.ts" />
// Collections for tests/api/test_records_oracle.py: owner rules, null and "" rules, @request.body/query/headers,
// @collection, auth relation paths, hidden fields, expand through view rules, back-relations.
migrate((app) => {
  const teams = new Collection({
    name: "teams", type: "base", listRule: "", viewRule: "",
    fields: [{ name: "name", type: "text" }],
  });
  app.save(teams);

  const users = app.findCollectionByNameOrId("users");
  users.listRule = "";
  users.viewRule = "";
  users.createRule = "";
  users.updateRule = "id = @request.auth.id";
  users.manageRule = "@request.auth.role = 'admin'";
  users.fields.add(new RelationField({ name: "team", collectionId: teams.id, maxSelect: 1 }));
  users.fields.add(new SelectField({ name: "role", values: ["member", "admin"], maxSelect: 1 }));
  users.fields.add(new TextField({ name: "secretNote", hidden: true }));
  app.save(users);

  teams.fields.add(new RelationField({ name: "owner", collectionId: users.id, maxSelect: 1 }));
  app.save(teams);

  const things = new Collection({
    name: "things", type: "base",
    listRule: "owner = @request.auth.id", viewRule: "owner = @request.auth.id",
    fields: [{ name: "label", type: "text" }, { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1 }],
  });
  app.save(things);

  const posts = new Collection({
    name: "posts", type: "base",
    listRule: "published = true || owner = @request.auth.id",
    viewRule: "published = true || owner = @request.auth.id",
    createRule: "@request.auth.id != '' && @request.body.owner = @request.auth.id && @request.body.title:isset = true",
    updateRule: "owner = @request.auth.id && (@request.body.owner:isset = false || @request.body.owner = @request.auth.id)",
    deleteRule: "owner = @request.auth.id || @request.auth.team.owner = @request.auth.id",
    fields: [
      { name: "title", type: "text", required: true, max: 100 },
      { name: "body", type: "editor" },
      { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1 },
      { name: "thing", type: "relation", collectionId: things.id, maxSelect: 1 },
      { name: "tags", type: "select", values: ["go", "js", "py"], maxSelect: 3 },
      { name: "published", type: "bool" },
      { name: "views", type: "number", onlyInt: true, min: 0 },
      { name: "data", type: "json" },
      { name: "secret", type: "text", hidden: true },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  });
  app.save(posts);

  app.save(new Collection({
    name: "comments", type: "base", listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "",
    fields: [{ name: "text", type: "text" }, { name: "post", type: "relation", collectionId: posts.id, maxSelect: 1 }],
  }));

  app.save(new Collection({
    name: "notes", type: "base", listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "",
    fields: [{ name: "text", type: "text" }, { name: "n", type: "number" },
             { name: "flags", type: "select", values: ["a", "b", "c"], maxSelect: 3 }],
  }));

  app.save(new Collection({
    name: "gated", type: "base",
    listRule: "@request.headers.x_token = 'abc' || @request.query.key = 'k1'",
    viewRule: "@request.method = 'GET' && @request.context = 'default' && @request.query.key = 'k1'",
    createRule: "@request.body.flags:length > 1 && @request.body.flags:each != 'c' && @request.body.text:lower = 'hello'",
    updateRule: "@request.body.text:changed = false",
    deleteRule: "@collection.teams.owner ?= @request.auth.id",
    fields: [{ name: "text", type: "text" },
             { name: "flags", type: "select", values: ["a", "b", "c"], maxSelect: 3 }],
  }));

  app.save(new Collection({ name: "secrets", type: "base", fields: [{ name: "code", type: "text" }] }));
}, (app) => {
  for (const name of ["secrets", "gated", "notes", "comments", "posts", "things"]) {
    app.delete(app.findCollectionByNameOrId(name));
  }
});
