/// <reference path="../pb_data/types.d.ts" />
// Owned notes for the browser test (tests/e2e/test_auth_starter_like_browser.py): each user lists, views and
// creates only their own; anonymous visitors reach none. Mail goes to the log (SMTP stays off).
migrate((app) => {
  const users = app.findCollectionByNameOrId("users");
  const settings = app.settings();
  settings.meta.appName = "Notebook";
  app.save(settings);

  app.save(new Collection({
    name: "notes",
    type: "base",
    listRule: "owner = @request.auth.id",
    viewRule: "owner = @request.auth.id",
    createRule: "@request.auth.id != '' && @request.body.owner = @request.auth.id",
    updateRule: "owner = @request.auth.id",
    deleteRule: "owner = @request.auth.id",
    fields: [
      { name: "text", type: "text", required: true, max: 200 },
      { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1, required: true },
      { name: "created", type: "autodate", onCreate: true },
    ],
  }));
}, (app) => {
  app.delete(app.findCollectionByNameOrId("notes"));
});
