migrate((app) => {
  const posts = app.findCollectionByNameOrId("posts");
  posts.fields.add(new TextField({ name: "slug", max: 80, pattern: "^[a-z0-9-]+$" }));
  posts.fields.addAt(2, new BoolField({ name: "published" }));
  posts.fields.add(new Field({ type: "editor", name: "body" }));
  posts.fields.removeByName("views");
  posts.listRule = "published = true";
  posts.addIndex("idx_posts_slug", true, "slug", "slug != ''");
  unmarshal({ deleteRule: null, updateRule: "@request.auth.id = author" }, posts);
  app.save(posts);

  const users = app.findCollectionByNameOrId("users");
  users.fields.add(new URLField({ name: "homepage" }));
  app.save(users);
}, (app) => {
  const posts = app.findCollectionByNameOrId("posts");
  posts.fields.removeByName("slug");
  posts.fields.removeByName("published");
  posts.fields.removeByName("body");
  posts.fields.add(new NumberField({ name: "views", onlyInt: true }));
  posts.listRule = "";
  posts.updateRule = null;
  posts.removeIndex("idx_posts_slug");
  app.save(posts);

  const users = app.findCollectionByNameOrId("users");
  users.fields.removeByName("homepage");
  app.save(users);
})
