"""Realtime across workers as plain objects: two brokers (two "workers", each on its own copy of one data.db)
joined by the supervisor's RealtimeHub through fake links that carry only JSON text; the control channel's
non-blocking Outbox on a real socket pair."""
from __future__ import annotations

import asyncio
import json
import shutil
import socket
import types

import pytest
from tornado.httputil import HTTPHeaders

from runtime.api import Api
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for
from runtime.realtime import AUTH_KEY, Broker, Client, Message
from runtime.http import realtime_routes
from runtime.http.realtime_routes import RealtimeRoutes
from runtime.serve.control import Outbox, Reader
from runtime.serve.realtime_hub import RealtimeHub


class Worker:
    """A broker and its link to the hub; what the hub posts to it is delivered through JSON text."""

    def __init__(self, hub, broker):
        self.hub, self.broker = hub, broker
        hub.joined(self)
        broker.attach(self)

    posted = 0  # the rest of a link (runtime/serve/worker_control.py Link): nothing in transit here

    def post(self, message):  # the worker's link: to the supervisor
        self.hub.received(self, json.loads(json.dumps(message)))

    def drain(self):
        pass

    def hold(self, since, callback):
        return True


@pytest.fixture
def pair(tmp_path):
    first = str(tmp_path / "one")
    store = store_for(first)
    save_collection(store.db, Collection.from_api({
        "name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [{"name": "title", "type": "text"}]}))
    ann = store.new_record("users", {"email": "ann@example.com", "name": "ann"})
    ann.set_password("secret-password")
    store.save(ann)
    second = str(tmp_path / "two")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(first, second)  # the same collections and users, as every worker sees one data.db
    sent = []
    hub = RealtimeHub(lambda worker, message: (sent.append((worker, message)),
                                               worker.broker.on_link(json.loads(json.dumps(message)))))
    a, b = Worker(hub, Broker(first)), Worker(hub, Broker(second))
    yield store, ann, hub, a, b, sent
    for w in (a, b):
        w.broker.close()
    forget(first)
    forget(second)


def _names(client):
    out = [(m.name, json.loads(m.data) if m.data.startswith("{") else m.data) for m in client.outbox]
    client.outbox.clear()
    return out


def test_a_write_in_a_worker_without_clients_reaches_another_workers_client(pair):
    store, _, hub, a, b, _ = pair
    assert not a.broker.listening
    client = Client()
    b.broker.register(client)
    client.subscribe("posts/*")
    assert a.broker.listening and a.broker.total_clients() == 1 and hub.total() == 1
    remote = a.broker.clients()[client.id]
    assert remote.has_subscription("posts/*") and not remote.has_subscription("posts")
    assert a.broker.client_by_id(client.id) is remote and remote.subscriptions == client.subscriptions
    store.save(store.new_record("posts", {"title": "from a"}))
    events = _names(client)
    assert [(n, e["action"], e["record"]["title"]) for n, e in events] == [("posts/*", "create", "from a")]
    b.broker.unregister(client.id)
    assert a.broker.total_clients() == 0 and not a.broker.listening and hub.total() == 0


def test_each_payload_is_delivered_once_and_client_messages_go_to_the_owner_only(pair):
    store, _, hub, a, b, sent = pair
    mine, theirs = Client(), Client()
    a.broker.register(mine)
    b.broker.register(theirs)
    mine.subscribe("posts/*", "news")
    theirs.subscribe("posts/*", "news")
    sent.clear()
    store.save(store.new_record("posts", {"title": "once"}))
    a.broker.broadcast("news", "hello")
    assert [len(_names(c)) for c in (mine, theirs)] == [2, 2]
    sent.clear()
    a.broker.clients()[theirs.id].send(Message("direct", "to b"))
    assert _names(theirs) == [("direct", "to b")] and _names(mine) == []
    assert [(w is b, m["rt"]["type"]) for w, m in sent] == [(True, "client")]
    sent.clear()
    a.broker.send_to(mine.id, "local", "x")  # a client of the sender's own: nothing leaves the worker
    assert _names(mine) == [("local", "x")] and sent == []


def test_acts_on_a_remote_client_are_done_by_its_owner(pair):
    store, ann, _, a, b, _ = pair
    client = Client()
    b.broker.register(client)
    remote = a.broker.client_by_id(client.id)
    remote.subscribe("news", "posts/*")
    assert set(client.subscriptions) == {"news", "posts/*"} and set(remote.subscriptions) == {"news", "posts/*"}
    remote.unsubscribe("news")
    assert set(client.subscriptions) == {"posts/*"} == set(a.broker.client_by_id(client.id).subscriptions)
    remote.set("color", "blue")
    assert client.get("color") == "blue" and remote.get("color") is None  # a client's store stays with its owner
    assert remote.auth is None
    client.set(AUTH_KEY, (store.find_collection_by_name_or_id("users"), ann))
    assert a.broker.client_by_id(client.id).auth[1].id == ann.id
    a.broker.unregister(client.id)  # discarded by its owner
    assert client.discarded and b.broker.total_clients() == 0 and a.broker.total_clients() == 0


def test_a_worker_that_joins_learns_every_client_and_one_that_leaves_takes_its_clients(pair, tmp_path):
    _, _, hub, a, b, _ = pair
    client = Client()
    b.broker.register(client)
    client.subscribe("news")
    late = Worker(hub, Broker(str(tmp_path / "two")))
    try:
        assert set(late.broker.clients()) == {client.id} and late.broker.client_by_id(client.id).bases == {"news"}
        hub.left(b)  # the worker died: its clients drop, the others forget them
        assert late.broker.total_clients() == 0 and a.broker.total_clients() == 0 and hub.total() == 0
    finally:
        late.broker.close()


def test_the_outbox_never_blocks_and_keeps_whole_lines_in_order():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.setblocking(False)
    try:
        outbox = Outbox(ours)
        for n in range(3000):  # far more than the socket buffer holds
            outbox.post({"n": n, "pad": "x" * 200})
        assert outbox.pending
        reader, got = Reader(theirs), []
        while outbox.flush() or len(got) < 3000:
            got.extend(m["n"] for m in reader.read())
        assert got == list(range(3000))
    finally:
        ours.close()
        theirs.close()


class _Handler:
    """What RealtimeRoutes needs of `pagesvm serve`'s Exchange for a POST: the request, `hold`, `send`."""

    def __init__(self, body: dict):
        self.request = types.SimpleNamespace(method="POST", path="/api/realtime", query="", remote_ip="127.0.0.1",
                                             headers=HTTPHeaders({"Content-Type": "application/json"}),
                                             body=json.dumps(body).encode())
        self.hold = object()
        self.sent = []

    def send(self, response):
        self.sent.append(response.status)


def _queued(hub):
    """The hub's posts kept in transit until flushed, as the supervisor's socket pairs may keep them."""
    transit = []
    hub.post = lambda worker, message: transit.append((worker, json.loads(json.dumps(message))))

    def flush():
        while transit:
            worker, message = transit.pop(0)
            worker.broker.on_link(message)
    return flush


def test_a_subscription_served_by_another_worker_is_answered_once_the_owner_has_it(pair, monkeypatch):
    _, _, hub, a, b, _ = pair
    client = Client()
    b.broker.register(client)
    flush = _queued(hub)
    flush()
    routes = RealtimeRoutes(a.broker, Api(a.broker.data_dir))
    handler = _Handler({"clientId": client.id, "subscriptions": ["posts/*"]})

    async def served():
        assert routes.serve(handler)
        assert handler.sent == [] and client.subscriptions == {}  # the acts are still on their way to the owner
        flush()
        assert handler.sent == [204] and set(client.subscriptions) == {"posts/*"}
        owner = store_for(b.broker.data_dir)
        owner.save(owner.new_record("posts", {"title": "right after the 204"}))  # written in the owner's worker
        assert [(n, e["record"]["title"]) for n, e in _names(client)] == [("posts/*", "right after the 204")]
        # An owner that never announces (gone quiet): the answer still comes, after OWNER_WAIT.
        other = _Handler({"clientId": client.id, "subscriptions": ["news"]})
        assert routes.serve(other) and other.sent == []
        await asyncio.sleep(realtime_routes.OWNER_WAIT + 0.1)
        assert other.sent == [204]
    monkeypatch.setattr(realtime_routes, "OWNER_WAIT", 0.05)
    asyncio.run(served())


class _Channel:
    """A worker as the supervisor sees it: the writing side of a real socket pair (its Outbox), and the far end."""

    def __init__(self):
        self.ours, self.theirs = socket.socketpair()
        self.ours.setblocking(False)
        self.theirs.setblocking(False)
        self.outbox, self.reader = Outbox(self.ours), Reader(self.theirs)

    def close(self):
        self.ours.close()
        self.theirs.close()

    def confirmed(self) -> list:
        return [m["rt_ok"] for m in self.reader.read(everything=True) if "rt_ok" in m]


def test_a_payload_is_confirmed_to_its_sender_once_written_into_every_targets_socket_and_in_order():
    a, b, c = _Channel(), _Channel(), _Channel()
    hub = RealtimeHub(lambda worker, message: worker.outbox.post(message), lambda worker: worker.outbox)
    try:
        for worker in (a, b, c):
            hub.joined(worker)
        hub.received(b, {"rtc": {"id": "onb", "subs": []}})
        hub.received(a, {"rt": {"type": "topic", "name": "t", "data": "1"}, "seq": 1})
        hub.flushed()  # at the end of the supervisor's turn: written to b and c already
        assert a.confirmed() == [1]
        while b.outbox.post({"rt": {"type": "topic", "name": "pad", "data": "x" * 4000}}):
            if b.outbox.pending:  # b reads nothing for now: its socket is full
                break
        hub.received(a, {"rt": {"type": "client", "client": "onb", "name": "n", "data": "2"}, "seq": 2})
        hub.received(a, {"rt": {"type": "client", "client": "nobody", "name": "n", "data": "3"}, "seq": 3})
        hub.flushed()
        assert a.confirmed() == []  # 2 is queued for b, not in b's socket: neither 2 nor 3 (after it) is confirmed
        got = []
        while not got or got[-1].get("rt", {}).get("data") != "2":
            got += b.reader.read(everything=True)
            b.outbox.flush()
        hub.flushed()
        assert a.confirmed() == [3]  # all up to 3, in one line
        assert hub.unconfirmed == {}
    finally:
        for worker in (a, b, c):
            worker.close()


def test_a_worker_that_exits_holds_no_confirmation():
    a, b = _Channel(), _Channel()
    hub = RealtimeHub(lambda worker, message: worker.outbox.post(message), lambda worker: worker.outbox)
    try:
        hub.joined(a)
        hub.joined(b)
        while not b.outbox.pending:
            b.outbox.post({"pad": "x" * 4000})
        hub.received(a, {"rt": {"type": "topic", "name": "t", "data": "1"}, "seq": 1})
        hub.flushed()
        assert a.confirmed() == []
        b.outbox = None  # the supervisor closed its channel (Worker.close_channel), then:
        hub.left(b)
        assert a.confirmed() == [1]
    finally:
        a.close()
        b.close()


def test_an_answer_waits_for_the_confirmation_of_what_its_request_posted_and_no_longer_than_confirm_wait(
        monkeypatch, caplog):
    from tornado.ioloop import IOLoop

    from runtime.serve import worker_control

    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    answered = []

    async def run():
        link = worker_control.Link(IOLoop.current(), ours)
        since = link.posted
        assert link.hold(since, lambda: answered.append("none"))  # nothing posted: answered at once
        link.post({"rt": {"type": "topic", "name": "t", "data": "x"}})
        assert not link.hold(since, lambda: answered.append("first"))
        assert Reader(theirs).read() == [{"rt": {"type": "topic", "name": "t", "data": "x"}, "seq": 1}]
        link.confirm(1)
        assert answered == ["first"]
        link.post({"rt": {"type": "topic", "name": "t", "data": "y"}})
        assert not link.hold(since, lambda: answered.append("late"))  # the supervisor never answers
        await asyncio.sleep(worker_control.CONFIRM_WAIT + 0.1)
        assert answered == ["first", "late"] and link.waiting == []
        link.confirm(2)  # a confirmation that comes after all is harmless
        assert answered == ["first", "late"]

    monkeypatch.setattr(worker_control, "CONFIRM_WAIT", 0.05)
    try:
        asyncio.run(run())
    finally:
        ours.close()
        theirs.close()
    assert "no word from the supervisor" in caplog.text
