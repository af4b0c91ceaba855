"""The realtime broker without sockets: committed record writes reach exactly the clients their rules allow,
with the subscription's own options; custom messages; payloads are plain JSON; POST /api/realtime's answers."""
from __future__ import annotations

import json

import pytest

from runtime.api import Api, ApiRequest
from runtime.data import changes
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for
from runtime.data.tokens import issue_token
from runtime.realtime import AUTH_KEY, Broker, Client, set_subscriptions


@pytest.fixture
def site(tmp_path):
    data_dir = str(tmp_path / "pb_data")
    store = store_for(data_dir)
    save_collection(store.db, Collection.from_api({
        "name": "posts", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "title", "type": "text"}, {"name": "secret", "type": "text", "hidden": True},
                   {"name": "views", "type": "number"}]}))
    users = store.find_collection_by_name_or_id("users")
    save_collection(store.db, Collection.from_api({
        "name": "notes", "type": "base", "listRule": "owner = @request.auth.id", "viewRule": "owner = @request.auth.id",
        "fields": [{"name": "text", "type": "text"},
                   {"name": "owner", "type": "relation", "collectionId": users.id, "maxSelect": 1}]}))
    people = []
    for name in ("ann", "bob"):
        user = store.new_record("users", {"email": f"{name}@example.com", "name": name})
        user.set_password("secret-password")
        store.save(user)
        people.append(user)
    broker = Broker(data_dir)
    yield store, broker, people
    broker.close()
    forget(data_dir)


def _client(broker, *topics, auth=None) -> Client:
    client = Client()
    broker.register(client)
    client.subscribe(*topics)
    if auth is not None:
        client.set(AUTH_KEY, auth)
    return client


def _events(client) -> list:
    out = [(m.name, json.loads(m.data)) for m in client.outbox]
    client.outbox.clear()
    return out


def _auth(store, user):
    return store.find_collection_by_name_or_id("users"), user


def test_a_create_reaches_a_collection_subscriber_with_the_record_as_the_api_shows_it(site):
    store, broker, _ = site
    client = _client(broker, "posts/*")
    post = store.new_record("posts", {"title": "hello", "secret": "s", "views": 3})
    store.save(post)
    [(name, data)] = _events(client)
    assert name == "posts/*" and data["action"] == "create"
    assert data["record"]["title"] == "hello" and data["record"]["views"] == 3 and data["record"]["id"] == post.id
    assert "secret" not in data["record"]  # hidden fields only for superusers
    assert list(data) == ["record", "action"]


def test_update_and_delete_reach_the_record_topic_and_the_collection_topic(site):
    store, broker, _ = site
    post = store.new_record("posts", {"title": "a"})
    store.save(post)
    one, every, other = _client(broker, f"posts/{post.id}"), _client(broker, "posts/*"), _client(broker, "posts/zzz")
    post.set("title", "b")
    store.save(post)
    store.delete(post)
    assert [(n, d["action"], d["record"]["title"]) for n, d in _events(one)] == [
        (f"posts/{post.id}", "update", "b"), (f"posts/{post.id}", "delete", "b")]
    assert [d["action"] for _, d in _events(every)] == ["update", "delete"]
    assert _events(other) == []


def test_an_owner_rule_lets_only_the_owner_hear_of_the_record(site):
    store, broker, (ann, bob) = site
    owner = _client(broker, "notes/*", auth=_auth(store, ann))
    stranger = _client(broker, "notes/*", auth=_auth(store, bob))
    guest = _client(broker, "notes/*")
    note = store.new_record("notes", {"text": "mine", "owner": ann.id})
    store.save(note)
    store.delete(note)
    assert [d["action"] for _, d in _events(owner)] == ["create", "delete"]
    assert _events(stranger) == [] and _events(guest) == []


def test_a_rolled_back_write_is_never_told(site):
    store, broker, _ = site
    client = _client(broker, "posts/*")

    def fail(tx):
        tx.save(tx.new_record("posts", {"title": "gone"}))
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.run_in_transaction(fail)
    assert _events(client) == []
    store.run_in_transaction(lambda tx: [tx.save(tx.new_record("posts", {"title": t})) for t in "xy"])
    assert [d["record"]["title"] for _, d in _events(client)] == ["x", "y"]


def test_the_subscription_options_filter_and_pick_fields(site):
    store, broker, _ = site
    opts = json.dumps({"query": {"filter": "views > 5", "fields": "id,title"}, "headers": {"X-Token": "t"}})
    topic = "posts/*?options=" + opts
    client = _client(broker, topic)
    assert client.subscriptions[topic] == {"query": {"filter": "views > 5", "fields": "id,title"},
                                           "headers": {"x_token": "t"}}
    store.save(store.new_record("posts", {"title": "few", "views": 1}))
    store.save(store.new_record("posts", {"title": "many", "views": 9}))
    [(name, data)] = _events(client)
    assert name == topic and sorted(data["record"]) == ["id", "title"] and data["record"]["title"] == "many"


def test_custom_messages_reach_their_client_or_their_topic(site):
    _, broker, _ = site
    a, b = _client(broker, "chat"), _client(broker, "other")
    broker.send_to(a.id, "chat", '{"hi":1}')
    broker.broadcast("chat", "x")
    assert [(m.name, m.data) for m in a.outbox] == [("chat", '{"hi":1}'), ("chat", "x")]
    assert b.outbox == []


def test_payloads_are_plain_json_and_any_broker_can_deliver_them(site, tmp_path):
    store, broker, _ = site
    carried = []
    broker.transport = lambda payload: carried.append(json.dumps(payload))  # what a cross-worker transport sees
    listener = _client(broker, "posts/*")
    store.save(store.new_record("posts", {"title": "far"}))
    assert listener.outbox == [] and len(carried) == 1
    other = Broker(broker.data_dir)  # another worker's broker over the same data
    remote = _client(other, "posts/*")
    other.deliver(json.loads(carried[0]))
    assert [d["record"]["title"] for _, d in _events(remote)] == ["far"]
    other.close()


def test_record_writes_are_listened_for_only_while_there_are_clients(site):
    store, broker, _ = site
    path = broker._db_path
    assert path not in changes._listeners
    client = _client(broker, "posts/*")
    assert path in changes._listeners
    broker.unregister(client.id)
    assert path not in changes._listeners and client.discarded
    store.save(store.new_record("posts", {"title": "quiet"}))
    assert client.outbox == []


def _post(broker, api, body, token="", ip="127.0.0.1"):
    headers = {"Authorization": token} if token else {}
    request = ApiRequest("POST", "/api/realtime", "", headers, json.dumps(body).encode(), "application/json", ip)
    answer = set_subscriptions(broker, api, request)
    return answer.status, json.loads(answer.body) if answer.body else None


def test_setting_subscriptions_answers_as_pocketbase(site):
    store, broker, (ann, bob) = site
    api = Api(broker.data_dir)
    users = store.find_collection_by_name_or_id("users")
    token_ann = issue_token(users, ann.id, ann.token_key(), 3600)
    token_bob = issue_token(users, bob.id, bob.token_key(), 3600)
    client = Client()
    broker.register(client)
    assert _post(broker, api, {"clientId": "nope", "subscriptions": []}) == (
        404, {"data": {}, "message": "Missing or invalid client id.", "status": 404})
    status, body = _post(broker, api, {"clientId": "", "subscriptions": ["x" * 2501]})
    assert status == 400 and set(body["data"]) == {"clientId", "subscriptions"}
    assert _post(broker, api, {"clientId": client.id, "subscriptions": ["a", "b"]}) == (204, None)
    assert set(client.subscriptions) == {"a", "b"} and client.auth is None
    assert _post(broker, api, {"clientId": client.id, "subscriptions": ["c"]}, token_ann) == (204, None)
    assert set(client.subscriptions) == {"c"} and client.auth[1].id == ann.id
    status, body = _post(broker, api, {"clientId": client.id, "subscriptions": []}, token_bob)
    assert (status, body["message"]) == (403, "The current and the previous request authorization don't match.")
    status, _ = _post(broker, api, {"clientId": client.id, "subscriptions": []})
    assert status == 403 and set(client.subscriptions) == {"c"}
