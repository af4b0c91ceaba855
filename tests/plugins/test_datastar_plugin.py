"""`pocketpages-plugin-datastar` over a real `pagesvm serve` of tests/sites/datastar_like (written the way the
datastar starter is). The event streams are compared byte for byte with what the plugin's code writes for the
same calls (pocketpages-plugin-datastar 0.2: `event:`, then `id:` when given, `retry:` when not 0, one `data:`
line per option and per line of content, a blank line; the page's own output dropped), a Datastar request gets
its page as one patch, signals are read from the query or the body, and `datastar.realtime.*` reaches a raw SSE
client subscribed to the `datastar` topic with the plugin's payload."""
from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest

from tests.helpers import SITES, start_server
from tests.realtime.test_sse_server import SseClient

SITE = os.path.join(SITES, "datastar_like")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(SITE, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("datastar-like")))
    yield srv
    srv.stop()


def _script(body: str) -> str:  # executeScript: a <script> appended to the body
    return ("event: datastar-patch-elements\nretry: 1000\ndata: selector body\ndata: mode append\n"
            f"data: elements {body}\n\n")


PATCHES = (
    'event: datastar-patch-elements\nretry: 1000\ndata: elements <p id="a">one</p>\ndata: elements <p id="b">two</p>\n\n'
    "event: datastar-patch-elements\nid: e1\nretry: 2500\ndata: selector #list\ndata: mode append\n"
    "data: useViewTransition true\ndata: elements <li>x</li>\n\n"
    "event: datastar-patch-elements\nretry: 1000\ndata: selector #gone\ndata: mode remove\n\n"
    'event: datastar-patch-signals\nretry: 1000\ndata: signals {"count":2}\n\n'
    'event: datastar-patch-signals\ndata: onlyIfMissing true\ndata: signals {"a":1}\ndata: signals {"b":2}\n\n'
    + _script('<script data-effect="el.remove()">console.log(1)</script>')
    + _script('<script type="module">go()</script>')
    + _script('<script data-effect="el.remove()">console.log("hi \\"you\\"")</script>')
    + _script('<script data-effect="el.remove()">console.error("bad")</script>')
    + _script('<script data-effect="el.remove()">setTimeout(() => window.location.href = "/next")</script>')
    + _script('<script data-effect="el.remove()">window.history.replaceState({}, "", "/here")</script>')
)


def test_the_event_stream_is_what_the_plugin_writes(server):
    answer = server.get("/api/patches")
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/event-stream"
    assert answer.header("Cache-Control") == "no-cache"
    assert answer.text == PATCHES


def test_a_datastar_request_gets_its_page_as_one_patch_without_layouts(server):
    before = server.get("/api/count")  # a plain request: the page as HTML
    assert before.header("Content-Type").startswith("text/html")
    n = int(before.text.split("<b>")[1].split("</b>")[0])
    answer = server.get("/api/count", headers={"Datastar-Request": "true"})
    assert answer.header("Content-Type") == "text/event-stream"
    assert answer.text == (
        "event: datastar-patch-elements\nretry: 1000\ndata: elements \ndata: elements <div id=\"count\">\n"
        f"data: elements   <button class=\"count\" data-on-click=\"@get('/api/count')\"><b>{n + 1}</b></button>\n"
        "data: elements </div>\ndata: elements \ndata: elements \n\n")
    # Datastar-Selector: patched inside that element
    inner = server.get("/api/count", headers={"Datastar-Request": "true", "Datastar-Selector": "#box"})
    assert inner.text.startswith("event: datastar-patch-elements\nretry: 1000\ndata: selector #box\ndata: mode inner\n")
    # a page with a layout: the page alone (the layout is not rendered for a Datastar request)
    page = server.get("/", headers={"Datastar-Request": "true"})
    assert page.text.startswith("event: datastar-patch-elements\n") and "<html" not in page.text
    assert 'data: elements <div id="chat" data-signals-room-name="\'lobby\'">' in page.text


def test_signals_are_read_from_the_query_of_a_get_and_the_body_otherwise(server):
    query = "datastar=" + quote(json.dumps({"a": 1, "s": "x"}))
    assert json.loads(server.get("/api/signals?" + query).body) == {"kept": True, "a": 1, "s": "x"}
    posted = server.post("/api/signals", body=json.dumps({"b": [1, 2]}), headers={"Content-Type": "application/json"})
    assert json.loads(posted.body) == {"kept": True, "b": [1, 2]}
    assert json.loads(server.get("/api/signals").body) == {"kept": True}


def _subscribed(server):
    sse = SseClient(server.port)
    client_id = sse.event()["id"]
    answer = server.post("/api/realtime", body=json.dumps({"clientId": client_id, "subscriptions": ["datastar"]}),
                         headers={"Content-Type": "application/json"})
    assert answer.status == 204
    return sse, client_id


def test_realtime_patches_reach_the_datastar_topic_with_the_plugins_payload(server):
    sse, _ = _subscribed(server)
    try:
        assert server.get("/api/broadcast").status == 200
        first, second = sse.event(), sse.event()
        assert first["event"] == second["event"] == "datastar"
        assert first["data"] == ('{"type":"datastar-patch-elements","el":null,"argsRaw":'
                                 '{"elements":"<b id=\\"live\\">now</b>","selector":"#live","mode":"inner"}}')
        assert json.loads(second["data"]) == {"type": "datastar-patch-signals", "el": None,
                                              "argsRaw": {"signals": '{"total":3}'}}
    finally:
        sse.close()


def test_the_chat_broadcasts_to_the_senders_room_and_clears_the_senders_message(server):
    (alice, alice_id), (bob, _) = _subscribed(server), _subscribed(server)
    try:
        signals = {"clientId": alice_id, "roomName": "lobby", "from": "ada", "message": " hi <b> "}
        answer = server.get("/api/chat?datastar=" + quote(json.dumps(signals)))
        assert answer.text == 'event: datastar-patch-signals\nretry: 1000\ndata: signals {"message":""}\n\n'
        patch = json.loads(alice.event()["data"])
        assert patch["type"] == "datastar-patch-elements"
        assert patch["argsRaw"]["elements"] == '<ul id="chat-messages">\n  <li><b>ada</b> hi &lt;b&gt;</li>\n</ul>\n'
        assert bob.nothing_for(0.5)  # bob never said which room he is in: the filter leaves him out
        assert "<li><b>ada</b> hi &lt;b&gt;</li>" in server.get("/").text
    finally:
        alice.close()
        bob.close()
