/// <reference path="../pb_data/types.d.ts" />
// The auth hooks oracle's collections (tests/hooks/test_auth_hooks_oracle.py): an auth collection with OTP,
// mail templates of its own, and posts and their comments (a cascade) for hook errors and deletes.
migrate((app) => {
  const accounts = new Collection({
    name: "accounts",
    type: "auth",
    createRule: "",
    passwordAuth: { enabled: true, identityFields: ["email"] },
    otp: { enabled: true, duration: 300, length: 6, emailTemplate: { subject: "Code for {RECORD:name}", body: "<p>OTP {OTP}</p>" } },
    resetPasswordTemplate: { subject: "Reset for {RECORD:name}", body: "<p>RESET {TOKEN}</p>" },
    verificationTemplate: { subject: "Verify {RECORD:name}", body: "<p>VERIFY {TOKEN}</p>" },
    confirmEmailChangeTemplate: { subject: "Change {RECORD:name}", body: "<p>CHANGE {TOKEN}</p>" },
    fields: [{ name: "name", type: "text", max: 40 }],
  });
  app.save(accounts);
  const posts = new Collection({
    name: "posts", type: "base", listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "",
    fields: [{ name: "title", type: "text" }],
  });
  app.save(posts);
  app.save(new Collection({
    name: "comments", type: "base", listRule: "", viewRule: "", createRule: "", deleteRule: "",
    fields: [{ name: "text", type: "text" },
             { name: "post", type: "relation", collectionId: posts.id, maxSelect: 1, cascadeDelete: true }],
  }));
  app.save(new Collection({
    name: "tags", type: "base", listRule: "", viewRule: "", createRule: "",
    fields: [{ name: "name", type: "text" },
             { name: "post", type: "relation", collectionId: posts.id, maxSelect: 1 }],
  }));
}, (app) => {
  for (const name of ["tags", "comments", "posts", "accounts"]) app.delete(app.findCollectionByNameOrId(name));
});
