// The bench's records: 20 authors and 300 posts whose titles all need escaping, each post with an author;
// both collections readable by anyone, so the REST API row lists them without signing in.
migrate((app) => {
  const authors = new Collection({
    type: "base", name: "authors", listRule: "", viewRule: "",
    fields: [{ type: "text", name: "name", required: true }],
  });
  app.save(authors);
  const posts = new Collection({
    type: "base", name: "posts", listRule: "", viewRule: "",
    fields: [
      { type: "text", name: "title", required: true },
      { type: "number", name: "views" },
      { type: "relation", name: "author", collectionId: authors.id, maxSelect: 1 },
    ],
    indexes: ["CREATE INDEX idx_posts_views ON posts (views)"],
  });
  app.save(posts);
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const author = new Record(authors, { name: `Author <${i}> & "co"` });
    app.save(author);
    ids.push(author.id);
  }
  for (let i = 0; i < 300; i++) {
    app.save(new Record(posts, { title: `Post <${i}> & "friends" it's`, views: (i * 37) % 1000, author: ids[i % 20] }));
  }
}, (app) => {
  app.delete(app.findCollectionByNameOrId("posts"));
  app.delete(app.findCollectionByNameOrId("authors"));
});
