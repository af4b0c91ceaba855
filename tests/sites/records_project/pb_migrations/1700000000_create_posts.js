/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const posts = new Collection({
    name: "posts",
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [
      { name: "title", type: "text", required: true, max: 40 },
      { name: "views", type: "number", min: 0 },
      { name: "published", type: "bool" },
      { name: "score", type: "number" },
      { name: "meta", type: "json" },
      { name: "tags", type: "select", values: ["a", "b", "c"], maxSelect: 3 },
      { name: "when", type: "date" },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  });
  app.save(posts);

  // A record made in a migration, saved in the same transaction.
  const seed = new Record(posts, { title: "Seeded by a migration", views: 1 });
  seed.id = "seededbymigrate";
  app.save(seed);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("posts"));
})
