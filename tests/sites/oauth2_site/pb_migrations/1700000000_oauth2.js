/// <reference path="../pb_data/types.d.ts" />
// OAuth2 sign-in for tests/api/test_oauth2_pages.py: `users` gets the generic OIDC provider at the fake
// provider the test starts (the test's copy of this site has its address for __FAKE_OIDC_URL__), and the app a
// fixed URL the test maps to the server.
migrate((app) => {
  const fake = "__FAKE_OIDC_URL__";
  const settings = app.settings();
  settings.meta.appURL = "http://oauth2.test";
  app.save(settings);
  const users = app.findCollectionByNameOrId("users");
  users.oauth2.enabled = true;
  users.oauth2.providers = [{
    name: "oidc", clientId: "pagesvm-client", clientSecret: "s3cret/+&",
    authURL: fake + "/authorize", tokenURL: fake + "/token", userInfoURL: fake + "/userinfo",
  }];
  app.save(users);
}, (app) => {
  const users = app.findCollectionByNameOrId("users");
  users.oauth2.enabled = false;
  users.oauth2.providers = [];
  app.save(users);
});
