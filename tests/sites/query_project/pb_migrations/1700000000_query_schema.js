/// <reference path="../pb_data/types.d.ts" />
// The query corpus schema: one field of every type filters treat differently, and relations in both directions
// (posts -> authors, posts -> tags, comments -> posts for `comments_via_post`).
migrate((app) => {
  // A base collection anyone may list and view, saved at once (later collections need its id).
  const base = (name, fields) => {
    const collection = new Collection({ name: name, type: "base", listRule: "", viewRule: "", fields: fields });
    app.save(collection);
    return collection;
  };

  const authors = base("authors", [
    { name: "name", type: "text" },
    { name: "email", type: "email" },
    { name: "site", type: "url" },
    { name: "active", type: "bool" },
    { name: "age", type: "number" },
    { name: "born", type: "date" },
    { name: "bio", type: "editor" },
    { name: "created", type: "autodate", onCreate: true },
    { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
  ]);

  const tags = base("tags", [
    { name: "name", type: "text", required: true },
    { name: "color", type: "select", values: ["red", "green", "blue"], maxSelect: 1 },
    { name: "weight", type: "number" },
  ]);

  const posts = base("posts", [
    { name: "title", type: "text" },
    { name: "slug", type: "text" },
    { name: "body", type: "editor" },
    { name: "views", type: "number" },
    { name: "rating", type: "number" },
    { name: "published", type: "bool" },
    { name: "status", type: "select", values: ["draft", "published", "archived"], maxSelect: 1 },
    { name: "labels", type: "select", values: ["go", "js", "py", "sql"], maxSelect: 4 },
    { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
    { name: "tags", type: "relation", collectionId: tags.id, maxSelect: 10 },
    { name: "meta", type: "json" },
    { name: "published_at", type: "date" },
    { name: "link", type: "url" },
    { name: "contact", type: "email" },
    { name: "cover", type: "file", maxSelect: 1 },
    { name: "secret", type: "text", hidden: true },
    { name: "created", type: "autodate", onCreate: true },
    { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
  ]);

  base("comments", [
    { name: "post", type: "relation", collectionId: posts.id, maxSelect: 1, cascadeDelete: true },
    { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
    { name: "message", type: "text" },
    { name: "score", type: "number" },
  ]);
}, (app) => {
  for (const name of ["comments", "posts", "tags", "authors"]) {
    app.delete(app.findCollectionByNameOrId(name));
  }
})
