/// <reference path="../pb_data/types.d.ts" />
// An auth collection of the oracle test's own (tests/api/test_auth_oracle.py): sign-in by email or by a
// case-insensitive username, and only verified members may sign in.
migrate((app) => {
  const members = new Collection({
    name: "members",
    type: "auth",
    authRule: "verified = true",
    passwordAuth: { enabled: true, identityFields: ["email", "username"] },
    fields: [{ name: "username", type: "text", max: 40 }],
    indexes: ["CREATE UNIQUE INDEX idx_members_username ON members (username COLLATE NOCASE)"],
  });
  app.save(members);
  app.save(new Collection({ name: "things", type: "base", fields: [{ name: "t", type: "text" }] }));
}, (app) => {
  for (const name of ["things", "members"]) {
    app.delete(app.findCollectionByNameOrId(name));
  }
});
