migrate((app) => {
  const posts = app.findCollectionByNameOrId("posts");
  app.save(new Record(posts, { title: "m2a" }));
  app.save(new Record(posts, { title: "upper" }));
  try { app.save(new Record(posts, { title: "" })); } catch (e) { app.store().set('log', app.store().get('log') + 'caught(' + e + ') '); }
  const r = app.findFirstRecordByFilter("posts", "title = 'm2a'");
  r.set("title", "m2b"); app.save(r);
  app.delete(r);
}, (app) => {});
