"""What an auth record owns goes with it, as on PocketBase 0.40: deleting the record (or its collection) deletes
its `_mfas`, `_otps`, `_externalAuths` and `_authOrigins` rows, and leaves other records' alone. The binary makes
the rows, a copy of its data.db serves pagesvm's Api, the same deletes run on both, what remains is compared."""
from __future__ import annotations

import json
import os
import sqlite3
import urllib.parse

import pytest

from runtime.api import Api, ApiRequest
from runtime.data.process import store_for
from runtime.data.collections import delete_collection, find_collection_by_name_or_id
from tests.helpers import PocketBase, request

OWNED = {"_mfas": {"method": "password"}, "_otps": {"password": "123456789", "sentTo": "x@example.com"},
         "_externalAuths": {"provider": "google", "providerId": "p-{who}"},
         "_authOrigins": {"fingerprint": "fp-{who}"}}


def _rows_for(pb, collection_id: str, record_id: str, who: str) -> None:
    for table, values in OWNED.items():
        body = {k: v.format(who=who) for k, v in values.items()}
        status, out = pb.call("POST", f"/api/collections/{table}/records",
                              {"collectionRef": collection_id, "recordRef": record_id, **body})
        assert status == 200, (table, out)


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("owned"))
    pb = PocketBase(folder)
    status, members = pb.call("POST", "/api/collections", {"name": "members", "type": "auth"})
    assert status == 200, members
    made = {}
    for who, collection in (("u1", "users"), ("u2", "users"), ("m1", "members")):
        status, out = pb.call("POST", f"/api/collections/{collection}/records",
                              {"email": f"{who}@example.com", "password": "secret-pass-1",
                               "passwordConfirm": "secret-pass-1"})
        assert status == 200, out
        made[who] = out
        _rows_for(pb, out["collectionId"], out["id"], who)
    copy = os.path.join(folder, "pagesvm_data")
    os.makedirs(copy)
    source, target = (sqlite3.connect(p) for p in (os.path.join(folder, "pb_data", "data.db"),
                                                  os.path.join(copy, "data.db")))
    source.backup(target)
    source.close()
    target.close()
    yield pb, Api(copy), made
    pb.stop()


def _both(pb, api, method: str, path: str):
    bare, _, query = path.partition("?")
    headers = {"Authorization": pb.token}
    theirs = request("127.0.0.1", pb.port, method, path, None, headers)
    ours = api.handle(ApiRequest(method, bare, query, headers, b""))
    return [(a.status, json.loads(a.body) if a.body else None) for a in (theirs, ours)]


def _left(pb, api):
    """What each table holds for the three records (the oracle's superuser signed in: an auth origin of its own)."""
    out = []
    mine = "filter=" + urllib.parse.quote("collectionRef!='pbc_3142635823'")
    for table in OWNED:
        theirs, ours = _both(pb, api, "GET", f"/api/collections/{table}/records?sort=recordRef&fields=recordRef&{mine}")
        out.append((table, theirs, ours))
    return out


def test_deleting_an_auth_record_or_collection_deletes_what_it_owned(sides):
    pb, api, made = sides
    before = _left(pb, api)
    assert all(len(theirs[1]["items"]) == 3 and theirs == ours for _, theirs, ours in before)
    theirs, ours = _both(pb, api, "DELETE", f"/api/collections/users/records/{made['u1']['id']}")
    assert theirs == ours and theirs[0] == 204
    after = _left(pb, api)
    for table, theirs, ours in after:
        assert theirs == ours, table
        assert [row["recordRef"] for row in theirs[1]["items"]] == sorted([made["u2"]["id"], made["m1"]["id"]])
    # pagesvm has no collections API: its data layer deletes the collection as a migration would
    assert request("127.0.0.1", pb.port, "DELETE", "/api/collections/members", None,
                   {"Authorization": pb.token}).status == 204
    db = store_for(api.data_dir).db
    delete_collection(db, find_collection_by_name_or_id(db, "members"))
    for table, theirs, ours in _left(pb, api):
        assert theirs == ours, table
        assert [row["recordRef"] for row in theirs[1]["items"]] == [made["u2"]["id"]]

