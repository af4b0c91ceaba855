"""The two sides of the records oracle: the real PocketBase on tests/sites/records_oracle's migrations, seeded
through its API, and pagesvm's `Api` over a copy of that very data.db (same ids, same secrets, so the
binary's tokens sign pagesvm's requests too). `Sides.ask` sends one request to both and answers both
(status, body) pairs with generated values (new ids, timestamps) replaced by placeholders."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import urllib.parse

from runtime.api import Api, ApiRequest
from tests.helpers import PocketBase, request

SITE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "sites", "records_oracle")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$")


def _seed(pb: PocketBase) -> dict:
    ids = {}

    def make(key, collection, body):
        status, out = pb.call("POST", f"/api/collections/{collection}/records", body)
        assert status == 200, out
        ids[key] = out["id"]
        return out

    def patch(collection, key, body):
        status, out = pb.call("PATCH", f"/api/collections/{collection}/records/{ids[key]}", body)
        assert status == 200, out

    make("T1", "teams", {"name": "red"})
    make("T2", "teams", {"name": "blue"})
    password = {"password": "secret-pass-1", "passwordConfirm": "secret-pass-1"}
    make("A", "users", {"email": "a@example.com", "name": "Ann", "team": ids["T1"], "role": "member",
                        "secretNote": "sa", **password})
    make("B", "users", {"email": "b@example.com", "name": "Bob", "team": ids["T1"], "role": "member",
                        "emailVisibility": True, **password})
    make("C", "users", {"email": "c@example.com", "name": "Cid", "team": ids["T2"], "role": "admin", **password})
    patch("teams", "T1", {"owner": ids["B"]})
    make("X1", "things", {"label": "thing of A", "owner": ids["A"]})
    make("X2", "things", {"label": "thing of B", "owner": ids["B"]})
    make("P1", "posts", {"title": "Hello Go", "body": "<p>Some <b>bold</b> text here</p>", "owner": ids["A"],
                         "thing": ids["X1"], "tags": ["go", "js"], "published": True, "views": 10,
                         "data": {"a": 1, "k": "v"}, "secret": "s1"})
    make("P2", "posts", {"title": "A draft", "owner": ids["A"], "thing": ids["X1"], "views": 3, "tags": ["py"]})
    make("P3", "posts", {"title": "Bob's post", "owner": ids["B"], "thing": ids["X2"], "published": True,
                         "views": 5, "tags": ["go"]})
    make("P4", "posts", {"title": "Unowned draft", "views": 1})
    make("P5", "posts", {"title": "Bob's draft", "owner": ids["B"], "views": 7})
    make("K1", "comments", {"text": "on hello", "post": ids["P1"]})
    make("K2", "comments", {"text": "on a draft", "post": ids["P2"]})
    make("K3", "comments", {"text": "on bob", "post": ids["P3"]})
    make("N1", "notes", {"text": "hello", "n": 3, "flags": ["a", "b"]})
    make("N2", "notes", {"text": "second", "n": 8, "flags": ["c"]})
    make("G1", "gated", {"text": "hello", "flags": ["a", "b"]})
    make("S1", "secrets", {"code": "xyz"})
    return ids


class Sides:
    def __init__(self, folder: str):
        self.pb = PocketBase(folder, migrations=os.path.join(SITE, "pb_migrations"))
        self.ids = _seed(self.pb)
        self.tokens = {"SU": self.pb.token}
        for who in ("A", "B", "C"):
            status, out = self.pb.call("POST", "/api/collections/users/auth-with-password",
                                       {"identity": f"{who.lower()}@example.com", "password": "secret-pass-1"})
            assert status == 200, out
            self.tokens[who] = out["token"]
        copy = os.path.join(folder, "pagesvm_data")
        os.makedirs(copy)
        source = sqlite3.connect(os.path.join(folder, "pb_data", "data.db"))
        target = sqlite3.connect(os.path.join(copy, "data.db"))
        source.backup(target)
        source.close()
        target.close()
        self.api = Api(copy)

    def stop(self) -> None:
        self.pb.stop()

    def fill(self, text: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: self.ids.get(m.group(1), m.group(0)), text)

    def ask(self, method: str, path: str, body=None, who: str | None = None, headers: dict | None = None,
            form: dict | None = None):
        """((binary status, body), (pagesvm status, body)), both normalised."""
        bare, _, query = self.fill(path).partition("?")
        query = urllib.parse.quote(query, safe="=&%")
        path = bare + ("?" + query if query else "")
        sent = dict(headers or {})
        if who:
            sent["Authorization"] = self.tokens[who]
        payload = b""
        if form is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            payload = urllib.parse.urlencode(
                [(k, self.fill(x)) for k, v in form.items() for x in (v if isinstance(v, list) else [v])]).encode()
        elif body is not None:
            sent["Content-Type"] = "application/json"
            payload = self.fill(json.dumps(body)).encode()
        theirs = request("127.0.0.1", self.pb.port, method, path, payload or None, sent)
        ours = self.api.handle(ApiRequest(method, bare, query, sent, payload))
        return ((theirs.status, self.normal(json.loads(theirs.body) if theirs.body else None)),
                (ours.status, self.normal(json.loads(ours.body) if ours.body else None)))

    def normal(self, value, key: str = ""):
        known = set(self.ids.values())
        if isinstance(value, dict):
            return {k: self.normal(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.normal(v, key) for v in value]
        if isinstance(value, str):
            if key in ("created", "updated") and _STAMP.match(value):
                return "<stamp>"
            if key == "id" and value not in known:
                return "<new id>"
        return value
