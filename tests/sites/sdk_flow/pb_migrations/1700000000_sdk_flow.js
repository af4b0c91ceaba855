/// <reference path="../pb_data/types.d.ts" />
// The collections the SDK transcript flow (../flow.mjs) works on: owned posts with a file, public notes, and
// a collection only superusers reach. Users keep PocketBase's default rules but for the create rule, said here:
// anyone may sign up (the default too).
migrate((app) => {
  const users = app.findCollectionByNameOrId("users");
  users.createRule = "";
  app.save(users);

  const posts = new Collection({
    name: "posts",
    type: "base",
    listRule: "published = true || owner = @request.auth.id",
    viewRule: "published = true || owner = @request.auth.id",
    createRule: "@request.auth.id != ''",
    updateRule: "owner = @request.auth.id",
    deleteRule: "owner = @request.auth.id",
    fields: [
      { name: "title", type: "text", required: true, max: 100 },
      { name: "body", type: "editor" },
      { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1 },
      { name: "tags", type: "select", values: ["go", "js", "py"], maxSelect: 3 },
      { name: "published", type: "bool" },
      { name: "views", type: "number", onlyInt: true, min: 0 },
      { name: "attachment", type: "file", maxSelect: 1, maxSize: 1024, mimeTypes: ["text/plain"] },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  });
  app.save(posts);

  app.save(new Collection({
    name: "notes",
    type: "base",
    listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "",
    fields: [{ name: "text", type: "text" }],
  }));

  // null rules everywhere (the default): superusers only.
  app.save(new Collection({ name: "secrets", type: "base", fields: [{ name: "code", type: "text" }] }));
}, (app) => {
  for (const name of ["secrets", "notes", "posts"]) {
    app.delete(app.findCollectionByNameOrId(name));
  }
});
