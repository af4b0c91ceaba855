// onMailerSend, onMailerRecordAuthAlertSend and the sign-in origins (tests/hooks/test_mail_hooks_oracle.py).
// Each handler notes what its event showed in $app.store() (read back through /t/store/{key}); PocketBase
// runs each handler in a VM of its own, so there are no top-level helpers here.

onMailerSend((e) => {
  const log = $app.store().get("send") || [];
  log.push([e.message.subject, e.message.to.map((a) => a.address), e.message.from.address, typeof e.app]);
  $app.store().set("send", log);
  if (e.message.subject.indexOf("[drop]") >= 0) return;
  if (e.message.subject.indexOf("[throw]") >= 0) throw new BadRequestError("no mail");
  if (e.message.to.length && e.message.to[0].address === "redirect@example.com") {
    e.message.to = [{ name: "", address: "elsewhere@example.com" }];
  }
  e.message.subject = "[sent] " + e.message.subject;
  e.next();
});

onMailerRecordAuthAlertSend((e) => {
  const log = $app.store().get("alert") || [];
  const info = e.meta.info.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z/, "<date>");
  log.push([e.record.email(), e.record.collection().name, info, e.message.to.map((a) => a.address), e.message.subject]);
  $app.store().set("alert", log);
  if (e.record.email() === "hush@example.com") return;
  if (e.record.email() === "fail@example.com") throw new Error("alert refused");
  e.message.subject += " (hooked)";
  e.next();
}, "members");

routerAdd("GET", "/t/store/{key}", (e) => e.json(200, { v: $app.store().get(e.request.pathValue("key")) || null }));

routerAdd("GET", "/t/origins/{email}", (e) => {
  const out = [];
  for (const name of ["members", "quiet"]) {
    let record;
    try { record = $app.findAuthRecordByEmail(name, e.request.pathValue("email")); } catch (_) { continue; }
    const rows = $app.findRecordsByFilter("_authOrigins", "recordRef = {:r}", "created", 0, 0, { r: record.id });
    for (const row of rows) {
      // Saved once, or again by a later sign-in: PocketBase stamps `created` and `updated` each with its own
      // clock reading, so one save may straddle a millisecond; a later sign-in comes a bcrypt check later.
      const at = (field) => Date.parse(row.getString(field).replace(" ", "T"));
      out.push([name, row.getString("fingerprint"), row.getString("collectionRef") === record.collection().id,
        at("updated") - at("created") < 5]);
    }
  }
  return e.json(200, out);
});

routerAdd("POST", "/t/mail", (e) => {
  const body = e.requestInfo().body;
  const message = new MailerMessage({
    from: { address: "sender@mail.test", name: "Sender" }, to: [{ address: body.to }], subject: body.subject,
    html: "<p>hello</p>",
  });
  try {
    $app.newMailClient().send(message);
  } catch (err) {
    return e.json(200, { sent: false, subject: message.subject });
  }
  return e.json(200, { sent: true, subject: message.subject });
});
