"""`pocketpages-plugin-realtime` over a real `pagesvm serve` of tests/sites/htmx_like (written the way the htmx
starter is): `realtime.send` from a page reaches the raw SSE clients subscribed to the topic and no other, a
filter of the page's own picks clients, `realtime.getClientById` finds one (undefined for an unknown id); the
counter page keeps its count in `store`."""
from __future__ import annotations

import json
import os

import pytest

from tests.helpers import SITES, start_server
from tests.realtime.test_sse_server import SseClient

SITE = os.path.join(SITES, "htmx_like")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(SITE, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("htmx-like")))
    yield srv
    srv.stop()


def _connect(server, topics):
    sse = SseClient(server.port)
    client_id = sse.event()["id"]
    answer = server.post("/api/realtime", body=json.dumps({"clientId": client_id, "subscriptions": topics}),
                         headers={"Content-Type": "application/json"})
    assert answer.status == 204
    return sse, client_id


def test_a_chat_message_reaches_the_clients_subscribed_to_its_topic_only(server):
    (chat, _), (other, _) = _connect(server, ["chat"]), _connect(server, ["news"])
    try:
        sent = server.post("/api/chat", form={"message": "hello <you>"})
        assert sent.status == 200
        event = chat.event()
        assert event["event"] == "chat"
        # the page sent stringify(include(...)): the data is the JSON string of the partial's HTML
        assert json.loads(event["data"]) == '<p class="msg">hello &lt;you&gt;</p>\n'
        assert other.nothing_for(0.5)
    finally:
        chat.close()
        other.close()


def test_a_filter_picks_clients_and_get_client_by_id_finds_one(server):
    (first, first_id), (second, _) = _connect(server, ["chat"]), _connect(server, ["chat"])
    try:
        answer = server.post("/api/whisper", form={"to": first_id, "text": "psst"})
        assert json.loads(answer.body) == {"found": True, "id": first_id, "missing": True}
        event = first.event()
        assert (event["event"], json.loads(event["data"])) == ("chat", "psst")
        assert second.nothing_for(0.5)
    finally:
        first.close()
        second.close()


def test_the_counter_counts_in_the_store(server):
    before = int(server.get("/api/count").text.strip()[3:-4])
    assert server.get("/api/count").text.strip() == f"<b>{before + 1}</b>"
    assert f"<b>{before + 1}</b>" in server.get("/").text


def test_a_page_on_one_worker_reaches_the_subscribers_of_every_worker(tmp_path):
    # The plugin walks $app.subscriptionsBroker().clients(), which lists every worker's clients; a send to
    # another worker's client goes through the supervisor.
    from tests.realtime.serve_helpers import subscribe
    from tests.realtime.test_serve_workers import _spread
    from tests.helpers import wait_for

    srv = start_server(SITE, "--workers", "2", data_dir=str(tmp_path / "data"))
    try:
        held = _spread(srv)
        for sse in held:
            assert subscribe(srv, sse.id, ["chat"]).status == 204
        assert len(set(held.values())) == 2
        # getClientById finds a client of either worker (the directory is current within a loop turn), and a
        # filtered send reaches that one client wherever it is
        for sse in held:
            def found(sse=sse):
                answer = srv.post("/api/whisper", form={"to": sse.id, "text": "psst"})
                return answer.status == 200 and json.loads(answer.body)["found"]
            assert wait_for(found, timeout=3)
            assert json.loads(sse.event()["data"]) == "psst"
        for n in range(3):  # whichever worker serves the post, every subscriber hears each message
            assert srv.post("/api/chat", form={"message": f"m{n}"}).status == 200
        for sse in held:
            assert [json.loads(sse.event()["data"]) for _ in range(3)] == [
                f'<p class="msg">m{n}</p>\n' for n in range(3)]
    finally:
        srv.stop()
