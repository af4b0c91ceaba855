"""`onMailerSend` around a page's `$app.newMailClient().send(...)` on `pagesvm serve` (the binary fires it
for every mail its mail client sends; tests/hooks/test_mail_hooks_oracle.py compares a hook route's mail and
the REST API's with it): the hook sees and changes `e.message`, ends the chain without sending, or throws,
and the page sees what it would see on PocketBase. Without SMTP settings the mail is written to the log."""
import pytest

from tests.helpers import start_server, wait_for, write_site

HOOKS = """
onMailerSend((e) => {
  if (e.message.subject === "drop") return;
  if (e.message.subject === "throw") throw new Error("refused by the hook");
  e.message.subject = "[hooked] " + e.message.subject;
  e.message.to = e.message.to.concat([{ name: "", address: "copy@example.com" }]);
  e.next();
});
"""
PAGE = """<%
const message = new MailerMessage({ from: { address: "site@example.com" }, to: [{ address: "to@example.com" }],
  subject: params.s, html: "<p>body</p>" });
let out;
try { $app.newMailClient().send(message); out = "sent:" + message.subject; } catch (err) { out = "failed"; }
%><%= out %>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = write_site(tmp_path_factory.mktemp("project"), {
        "pb_hooks/mail.pb.js": HOOKS,
        "pb_hooks/pages/mail/[s].ejs": PAGE,
    })
    running = start_server(project, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def test_a_pages_mail_passes_on_mailer_send(server):
    r = server.get("/mail/hello")
    assert r.status == 200 and r.text.strip() == "sent:[hooked] hello"
    assert wait_for(lambda: "Subject: [hooked] hello" in server.log)
    assert "copy@example.com" in server.log


def test_a_hook_that_does_not_call_next_sends_nothing(server):
    r = server.get("/mail/drop")
    assert r.status == 200 and r.text.strip() == "sent:drop"
    assert "Subject: drop" not in server.log and "Subject: [hooked] drop" not in server.log


def test_a_hook_that_throws_fails_the_send(server):
    r = server.get("/mail/throw")
    assert r.status == 200 and r.text.strip() == "failed"
