// The auth flows' request hooks and the auth mails' hooks (tests/hooks/test_auth_hooks_oracle.py).
// Each handler notes what its event showed in $app.store() (read back through /t/store/{key}); PocketBase
// runs each handler in a VM of its own, so there are no top-level helpers here.

onRecordRequestPasswordResetRequest((e) => {
  const email = e.record.email();
  $app.store().set("reset-request", JSON.stringify([e.collection.name, email, e.requestInfo().body.email]));
  if (email === "blocked@example.com") throw new BadRequestError("no reset", { email: { code: "no_reset", message: "not for you" } });
  if (email === "quiet@example.com") return e.json(202, { quiet: true });
  e.next();
}, "accounts");

onRecordConfirmPasswordResetRequest((e) => {
  $app.store().set("reset-confirm", JSON.stringify([e.collection.name, e.record.email(), e.record.getString("name")]));
  e.record.set("name", "reset-by-hook");
  e.next();
}, "accounts");

onRecordRequestVerificationRequest((e) => {
  $app.store().set("verify-request", JSON.stringify([e.collection.name, e.record.email(), e.record.verified()]));
  if (e.record.email() === "stop@example.com") throw new ForbiddenError("stopped");
  e.next();
}, "accounts");

onRecordConfirmVerificationRequest((e) => {
  e.record.set("name", "verified-by-hook");
  e.next();
  $app.store().set("verify-confirm", JSON.stringify([e.collection.name, e.record.email(), e.record.verified()]));
}, "accounts");

onRecordRequestEmailChangeRequest((e) => {
  $app.store().set("change-request", JSON.stringify([e.collection.name, e.record.email(), e.newEmail]));
  if (e.newEmail === "swap@example.com") e.newEmail = "swapped@example.com";
  e.next();
}, "accounts");

onRecordConfirmEmailChangeRequest((e) => {
  $app.store().set("change-confirm", JSON.stringify([e.collection.name, e.record.email(), e.newEmail]));
  e.next();
}, "accounts");

onRecordRequestOTPRequest((e) => {
  $app.store().set("otp-request", JSON.stringify([e.collection.name, e.record ? e.record.email() : null, e.password.length]));
  if (e.record && e.record.email() === "fixed@example.com") e.password = "135790";
  e.next();
}, "accounts");

onRecordAuthWithOTPRequest((e) => {
  $app.store().set("otp-auth", JSON.stringify([e.collection.name, e.record.email(), e.otp.getString("recordRef") === e.record.id,
    e.otp.collection().name]));
  e.next();
}, "accounts");

onMailerRecordPasswordResetSend((e) => {
  $app.store().set("mail-reset", JSON.stringify([e.record.email(), e.message.to[0].address, e.message.subject,
    typeof e.meta.token, e.meta.token.length > 20, e.message.from.address, e.message.html.indexOf("RESET") >= 0]));
  e.message.subject = "Hooked: " + e.message.subject;
  e.next();
}, "accounts");

onMailerRecordVerificationSend((e) => {
  $app.store().set("mail-verify", JSON.stringify([e.record.email(), e.message.subject, typeof e.meta.token]));
  if (e.record.email().indexOf("nomail") === 0) return;
  e.message.html = e.message.html.replace("VERIFY", "verify-by-hook");
  e.next();
}, "accounts");

onMailerRecordEmailChangeSend((e) => {
  $app.store().set("mail-change", JSON.stringify([e.record.email(), e.message.to[0].address, e.meta.newEmail, typeof e.meta.token]));
  if (e.meta.newEmail === "mailfail@example.com") throw new BadRequestError("mail refused");
  e.next();
}, "accounts");

onMailerRecordOTPSend((e) => {
  $app.store().set("mail-otp", JSON.stringify([e.record.email(), e.message.subject, e.meta.password, typeof e.meta.otpId]));
  e.next();
}, "accounts");

routerAdd("GET", "/t/store/{key}", (e) => {
  const key = e.request.pathValue("key");
  const value = $app.store().get(key);
  $app.store().remove(key);
  return e.json(200, { v: value === undefined || value === null ? null : JSON.parse(value) });
});
