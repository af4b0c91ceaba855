"""`$app.newMailClient()`, `MailerMessage` and `$mails`: the shapes pocketbase 0.40.6 answers (recorded from a
`routerAdd` handler on the binary), the message written to the log without SMTP, and sent over SMTP (to a
tiny in-test SMTP server) when the settings enable it."""
import json
import socket
import threading
from types import SimpleNamespace

from bindings import mail_api
from runtime.data.process import store_for
from tests.helpers import served, wait_for, write_site

SNIPPET = r"""
const out = {}
const t = (f) => { try { const v = f(); return {v: v === undefined ? "undefined" : v} } catch (e) { return {name: e.name, msg: String(e.message)} } }
out.mails = t(() => Object.keys($mails))
out.client = t(() => { const c = $app.newMailClient(); return [typeof c, Object.keys(c), typeof c.send] })
out.message = t(() => { const m = new MailerMessage({from: {address: "a@b.c", name: "A"}, to: [{address: "x@y.z"}], subject: "S", html: "<p>h</p>", text: "t", headers: {"X-A": "1"}}); return [Object.keys(m), JSON.parse(JSON.stringify(m))] })
out.empty = t(() => JSON.parse(JSON.stringify(new MailerMessage({}))))
out.send = t(() => $app.newMailClient().send(new MailerMessage({from: {address: "a@b.c"}, to: [{address: "x@y.z"}], subject: "Hello log", text: "body text"})))
"""
# What the binary answered for SNIPPET (its send() fails there: no SMTP and no sendmail on the machine).
BINARY = {
    "mails": {"v": ["sendRecordPasswordReset", "sendRecordVerification", "sendRecordChangeEmail", "sendRecordOTP", "sendRecordAuthAlert"]},
    "client": {"v": ["object", ["onSend", "send"], "function"]},
    "message": {"v": [["from", "to", "bcc", "cc", "subject", "html", "text", "headers", "attachments", "inlineAttachments"],
                      {"from": {"name": "A", "address": "a@b.c"}, "to": [{"name": "", "address": "x@y.z"}], "bcc": [], "cc": [],
                       "subject": "S", "html": "<p>h</p>", "text": "t", "headers": {"X-A": "1"}, "attachments": None,
                       "inlineAttachments": None}]},
    "empty": {"v": {"from": {"name": "", "address": ""}, "to": [], "bcc": [], "cc": [], "subject": "", "html": "", "text": "",
                    "headers": None, "attachments": None, "inlineAttachments": None}},
}

server = served(write_site(__import__("tempfile").mkdtemp(), {"pb_hooks/pages/mail.ejs": "<%%\n%s\n%%><%%- JSON.stringify(out) %%>" % SNIPPET}),
                "--workers", "1")


def test_shapes_are_the_binarys_and_a_message_goes_to_the_log(server):
    page = server.get("/mail")
    assert page.status == 200, page.body
    out = json.loads(page.body)
    for key, expected in BINARY.items():
        assert out[key] == expected, key
    assert out["send"] == {"v": "undefined"}
    # the worker's log reaches the server's output after the answer reaches the client, now and then
    assert wait_for(lambda: any("Subject: Hello log" in line for line in server.lines)), server.lines[-20:]


class _SMTP(threading.Thread):
    """Just enough SMTP to receive one message."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.data, self.rcpt = "", []

    def run(self):
        conn, _ = self.sock.accept()
        f = conn.makefile("rwb")

        def say(line):
            f.write(line.encode() + b"\r\n")
            f.flush()

        say("220 test")
        while True:
            line = f.readline().decode().rstrip("\r\n")
            verb = line.split(" ")[0].upper()
            if verb == "EHLO":
                say("250 test")
            elif verb == "RCPT":
                self.rcpt.append(line)
                say("250 ok")
            elif verb == "DATA":
                say("354 go")
                while (chunk := f.readline().decode()) not in (".\r\n", ""):
                    self.data += chunk
                say("250 queued")
            elif verb == "QUIT" or not line:
                say("221 bye")
                break
            else:
                say("250 ok")
        conn.close()


def test_smtp_when_the_settings_enable_it(tmp_path):
    store = store_for(str(tmp_path))
    smtp = _SMTP()
    smtp.start()
    settings = {"smtp": {"enabled": True, "host": "127.0.0.1", "port": smtp.port, "tls": False}}
    store.db.execute("UPDATE _params SET value = ? WHERE id = 'settings'", (json.dumps(settings),))
    ctx = SimpleNamespace(data_dir=str(tmp_path), options={})
    message = {"from": {"name": "Me", "address": "me@example.com"}, "to": [{"name": "", "address": "you@example.com"}],
               "cc": [], "bcc": [{"name": "", "address": "hidden@example.com"}], "subject": "Over SMTP", "text": "plain", "html": "<b>rich</b>"}
    assert mail_api._send(ctx, message) == {"ok": None}
    smtp.join(5)
    assert "Subject: Over SMTP" in smtp.data and "<b>rich</b>" in smtp.data and "hidden@example.com" not in smtp.data
    assert [r.split(":", 1)[1].strip("<> ") for r in smtp.rcpt] == ["you@example.com", "hidden@example.com"]
    assert mail_api._send(ctx, {**message, "to": [], "bcc": []}) == {"error": "mail: no recipients"}
