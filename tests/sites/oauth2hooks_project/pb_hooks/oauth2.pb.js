// onRecordAuthWithOAuth2Request (tests/hooks/test_oauth2_hooks_oracle.py): the event's fields noted in
// $app.store(), and createData, oAuth2User, isNewRecord and e.record changed before e.next(). PocketBase runs
// each handler in a VM of its own, so there are no top-level helpers here. (The test's migration adds the
// `oidc` provider and a `nickname` field to `users`.)

onRecordAuthWithOAuth2Request((e) => {
  const email = e.oAuth2User.email;
  const log = $app.store().get("oauth2") || [];
  log.push([e.collection.name, e.providerName, email, e.oAuth2User.id, e.oAuth2User.name, e.isNewRecord,
    e.record ? e.record.email() : null, e.createData || null, typeof e.requestInfo().body.code]);
  $app.store().set("oauth2", log);
  if (email === "carl@example.com") e.createData = { name: "From hook", nickname: "nick" };
  if (email === "dora@example.com") e.createData.nickname = "mutated";
  if (email === "eve@example.com") e.oAuth2User.name = "Renamed";
  if (email === "fay@example.com") throw new BadRequestError("No OAuth2 for you.");
  if (email === "gil@example.com") return e.json(202, { stopped: true });
  if (email === "hal@example.com") e.isNewRecord = false;
  if (email === "ivy@example.com" && e.record) e.record.set("nickname", "set by hook");
  e.next();
}, "users");

onRecordAuthWithOAuth2Request((e) => {
  const log = $app.store().get("oauth2-other") || [];
  log.push(e.collection.name);
  $app.store().set("oauth2-other", log);
  e.next();
}, "nobody");

routerAdd("GET", "/t/store/{key}", (e) => e.json(200, { v: $app.store().get(e.request.pathValue("key")) || null }));
