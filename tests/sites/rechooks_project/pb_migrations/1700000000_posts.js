migrate((app) => {
  const posts = new Collection({ type: "base", name: "posts", fields: [
    { name: "title", type: "text", required: true }, { name: "n", type: "number" } ] });
  app.save(posts);
  const notes = new Collection({ type: "base", name: "notes", fields: [ { name: "title", type: "text" } ] });
  app.save(notes);
  const logs = new Collection({ type: "base", name: "logs", fields: [ { name: "text", type: "text" } ] });
  app.save(logs);
  const r = new Record(posts, { title: "from-migration" });
  app.save(r);
}, (app) => {});
