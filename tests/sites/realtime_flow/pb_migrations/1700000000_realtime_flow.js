/// <reference path="../pb_data/types.d.ts" />
// The collections the realtime flow (../flow.mjs) subscribes to: public posts, and notes only their owner sees.
migrate((app) => {
  const users = app.findCollectionByNameOrId("users");
  users.createRule = "";
  app.save(users);

  app.save(new Collection({
    name: "posts",
    type: "base",
    listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "",
    fields: [
      { name: "title", type: "text" },
      { name: "secret", type: "text", hidden: true },
      { name: "views", type: "number" },
    ],
  }));

  app.save(new Collection({
    name: "notes",
    type: "base",
    listRule: "owner = @request.auth.id",
    viewRule: "owner = @request.auth.id",
    createRule: "@request.auth.id != ''",
    updateRule: "owner = @request.auth.id",
    deleteRule: "owner = @request.auth.id",
    fields: [
      { name: "text", type: "text" },
      { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1 },
    ],
  }));
}, (app) => {
  for (const name of ["notes", "posts"]) app.delete(app.findCollectionByNameOrId(name));
});
