// parents <- kids (cascadeDelete) <- grandkids (cascadeDelete); tags: an optional relation to parents (cleared);
// multi: an optional multiple relation to parents (one id removed). tests/hooks/test_cascade_hooks_oracle.py
migrate((app) => {
  const parents = new Collection({ type: "base", name: "parents", fields: [ { name: "title", type: "text" } ] });
  app.save(parents);
  const kids = new Collection({ type: "base", name: "kids", fields: [ { name: "title", type: "text" },
    { name: "parent", type: "relation", collectionId: parents.id, cascadeDelete: true, maxSelect: 1 } ] });
  app.save(kids);
  const grandkids = new Collection({ type: "base", name: "grandkids", fields: [ { name: "title", type: "text" },
    { name: "kid", type: "relation", collectionId: kids.id, cascadeDelete: true, maxSelect: 1 } ] });
  app.save(grandkids);
  const tags = new Collection({ type: "base", name: "tags", fields: [ { name: "title", type: "text" },
    { name: "parent", type: "relation", collectionId: parents.id, maxSelect: 1 },
    { name: "parents", type: "relation", collectionId: parents.id, maxSelect: 5 } ] });
  app.save(tags);
}, (app) => {});
