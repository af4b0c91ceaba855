/// <reference path="../pb_data/types.d.ts" />
// The sign-in origins and mail hooks oracle's collections (tests/hooks/test_mail_hooks_oracle.py): `members`
// with the new-location alert on (a template of its own), `quiet` with it off.
migrate((app) => {
  app.save(new Collection({
    name: "members", type: "auth", createRule: "", updateRule: "id = @request.auth.id",
    passwordAuth: { enabled: true, identityFields: ["email"] },
    authAlert: { enabled: true, emailTemplate: { subject: "New sign-in for {RECORD:name}", body: "<p>ALERT {ALERT_INFO}</p>" } },
    resetPasswordTemplate: { subject: "Reset for {RECORD:name}", body: "<p>RESET</p>" },
    fields: [{ name: "name", type: "text", max: 40 }],
  }));
  app.save(new Collection({
    name: "quiet", type: "auth", createRule: "",
    passwordAuth: { enabled: true, identityFields: ["email"] },
    authAlert: { enabled: false },
    fields: [{ name: "name", type: "text", max: 40 }],
  }));
}, (app) => {
  for (const name of ["quiet", "members"]) app.delete(app.findCollectionByNameOrId(name));
});
