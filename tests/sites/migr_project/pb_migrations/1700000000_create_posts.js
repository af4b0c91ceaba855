/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const posts = new Collection({
    name: "posts",
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: "@request.auth.id != ''",
    fields: [
      { name: "title", type: "text", required: true, max: 100 },
      { name: "views", type: "number", onlyInt: true },
      { name: "tags", type: "select", values: ["go", "js", "py"], maxSelect: 2 },
      { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
    indexes: ["CREATE UNIQUE INDEX idx_posts_title ON posts (title)"],
  });
  app.save(posts);

  const members = new Collection({ name: "members", type: "auth", listRule: "id = @request.auth.id" });
  members.fields.add(new TextField({ name: "nick", max: 30 }));
  app.save(members);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("members"));
  app.delete(app.findCollectionByNameOrId("posts"));
})
