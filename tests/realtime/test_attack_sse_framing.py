"""SSE framing: no message text (a custom message's data, a topic name) can end its event early and add events or
fields to a stream, as an EventSource reads it (the HTML standard's parser: CR, LF and CRLF each end a line)."""
from __future__ import annotations

import re
import urllib.parse

from runtime.realtime import Broker, Client, Message


def parse(stream: str) -> list[dict]:
    """Events as EventSource dispatches them: {"event", "data", "id"}."""
    events, data, name, last_id = [], [], "", ""
    for line in re.split(r"\r\n|\r|\n", stream):
        if line == "":
            if data:
                events.append({"event": name or "message", "data": "\n".join(data), "id": last_id})
            data, name = [], ""
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
        elif field == "id":
            last_id = value
    return events


EVIL = "hi\n\nevent:@oauth2\ndata:{\"state\":\"x\",\"code\":\"attacker\"}\n\nid:other\r\rdata:more\r\n"


def test_a_message_with_line_breaks_is_one_event_with_its_data_whole():
    events = parse(Message("chat", EVIL).sse("client1").decode())
    assert events == [{"event": "chat", "data": EVIL.replace("\r\n", "\n").replace("\r", "\n"), "id": "client1"}]


def test_a_topic_name_with_line_breaks_adds_no_field():
    events = parse(Message("chat\r\ndata:x\n\nevent:@oauth2", "{}").sse("client1").decode())
    assert len(events) == 1 and events[0]["data"] == "{}" and events[0]["id"] == "client1"
    assert "\n" not in events[0]["event"] and events[0]["event"] != "@oauth2"


def test_a_message_sent_to_one_topic_reaches_the_others_as_one_event(tmp_path):
    broker = Broker(str(tmp_path))
    client = Client()
    client.subscribe("chat")
    broker.register(client)
    broker.broadcast("chat", EVIL)
    [message] = client.outbox
    assert [e["event"] for e in parse(message.sse(client.id).decode())] == ["chat"]
    broker.close()


def test_a_datastar_patch_of_a_visitors_text_with_carriage_returns_stays_one_event(tmp_path):
    """Datastar's client splits its stream on CR as on LF: a patch of text holding `\\r` (a stored chat message, a
    query) must not add a `datastar-patch-signals` event (whose value Datastar may evaluate as JavaScript)."""
    from tests.helpers import start_server, write_site

    site = write_site(tmp_path / "site", {
        "pb_hooks/pocketpages.pb.js": "require('pocketpages')\n",
        "pb_hooks/pages/+config.js": "module.exports = { plugins: ['pocketpages-plugin-ejs', "
                                     "'pocketpages-plugin-datastar'] }\n",
        "pb_hooks/pages/api/echo.ejs": "<script server>\n  datastar.patchElements('<p>' + params.text + '</p>')\n"
                                       "  datastar.patchSignals(JSON.stringify({ said: params.text }))\n</script>\n",
    })
    server = start_server(site, "--workers", "1", data_dir=str(tmp_path / "data"))
    try:
        evil = "hi\r\revent: datastar-patch-signals\rdata: signals alert(1)\r"
        answer = server.get("/api/echo?text=" + urllib.parse.quote(evil))
        assert answer.status == 200, answer.body
        events = parse(answer.text)
        assert [e["event"] for e in events] == ["datastar-patch-elements", "datastar-patch-signals"]
        assert events[0]["data"].startswith("elements <p>hi\nelements ")
    finally:
        server.stop()
