"""Record files without sockets: names, sniffing, atomic writes, the staging seam the records API calls,
`/api/files` answers, and paths that must never leave storage."""
from __future__ import annotations

import json
import os
import re

import pytest

from runtime.api import Api, ApiRequest, UploadedFile
from runtime.data import files as F
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for
from runtime.data.sniff import detect, type_is
from runtime.data.tokens import issue_file_token
from runtime.data.uploads import delete_record_files, stage_files
from runtime.data.validation import ValidationError

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\0" * 20
RANDOM = "[a-z0-9]{10}"


@pytest.mark.parametrize("original, shape", [
    ("hello.txt", "hello_R.txt"), ("My File Name.txt", "my_file_name_R.txt"), ("héllo wörld.txt", "h_llo_w_rld_R.txt"),
    ("a.b.c.txt", "a_b_R.c.txt"), ("archive.tar.gz", "archive_R.tar.gz"), ("noext", "noext_R.txt"),
    ("x.txt", "xR_R.txt"), ("..txt", "R_R.txt"), ("UPPERCase.TXT", "uppercase_R.TXT"), ("ünï.txt", "nR_R.txt"),
    ("a" * 150 + ".txt", "a" * 100 + "_R.txt"), ("we ird!@#.t x$t", "we_ird_R.txt"), ("dots...end", "dots_R.end"),
    ("CamelCaseName.md", "camel_case_name_R.md"), ("x.verylongextensionnamethatisover20chars",
                                                    "xR_R.amethatisover20chars"),
    (".hidden", "R_R.hidden"), ("trailing.", "trailing_R.txt"), ("a/b/c.txt", "cR_R.txt"),
    ("..\\evil.txt", "R_R.evil.txt"), ("a..b.txt", "aR_R.b.txt"), ("a.b..txt", "a_b_R.txt"), ("file.tar.", "file_R.tar"),
    ("x.a.", "xR_R.a"), ("a b.c d.e", "a_b_R.cd.e"), ("...", "R_R.txt"), ("a.tar..gz", "a_tar_R.gz"),
    ("f.tÿt", "fR_R.tt"), ("fileV2Name3.txt", "file_v2_name3_R.txt"), ("HTTPServer.txt", "httpserver_R.txt"),
    ("aB.txt", "a_b_R.txt"), ("ab", "abR_R.txt"), ("x.tar.gz.", "x_tar_R.gz"), ("file.TXT.GZ", "file_R.TXT.GZ"),
    ("A1b2C3.txt", "a1b2_c3_R.txt"), ("a.b-c.d+e", "aR_R.b-c.d+e"), ("  spaced  .txt", "spaced_R.txt"),
])
def test_stored_names_have_the_binarys_shape(original, shape):
    """Every row observed on PocketBase 0.40.6 (content `hello`): R is ten random [a-z0-9]."""
    pattern = re.escape(shape).replace("R", RANDOM)
    assert re.fullmatch(pattern, F.stored_name(original, b"hello")), F.stored_name(original, b"hello")


def test_a_name_without_extension_takes_the_sniffed_one():
    assert F.stored_name("noext", PNG).endswith(".png")
    assert re.fullmatch(r"blob_[a-z0-9]{10}", F.stored_name("blob", b"\x00\x01\x02"))


@pytest.mark.parametrize("content, mime, ext", [
    (PNG, "image/png", ".png"), (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg", ".jpg"),
    (b"GIF89a" + b"\0" * 10, "image/gif", ".gif"), (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp", ".webp"),
    (b"%PDF-1.4\n", "application/pdf", ".pdf"), (b"\x1f\x8b\x08\x00", "application/gzip", ".gz"),
    (b"", "text/plain", ".txt"), (b"hello", "text/plain; charset=utf-8", ".txt"),
    (b'{"a": 1}', "application/json", ".json"), (b"<p>hi</p>", "text/html; charset=utf-8", ".html"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml", ".svg"),
    (b'<?xml version="1.0"?><a/>', "text/xml; charset=utf-8", ".xml"), (b"a,b\n1,2\n", "text/csv", ".csv"),
    (b"caf\xe9", "text/plain; charset=iso-8859-1", ".txt"), (b"\xff\xfeh\x00", "text/plain; charset=utf-16le", ".txt"),
    (b"hello\x01world", "application/octet-stream", ""), (b"#!/usr/bin/env python\n", "text/x-python", ".py"),
    (b"a\tb\n1\t2\n", "text/tab-separated-values", ".tsv"), (b"function f() {}", "text/plain; charset=utf-8", ".txt"),
])
def test_sniffing_answers_as_the_binary(content, mime, ext):
    assert detect(content) == (mime, ext)


def test_mime_types_compare_without_parameters():
    assert type_is("text/plain; charset=utf-8", "text/plain")
    assert not type_is("application/json", "text/plain")
    assert type_is("text/xml; charset=utf-8", "application/xml")


def test_writes_are_atomic_and_leave_no_temp_file(tmp_path, monkeypatch):
    storage = F.FileStorage(str(tmp_path))
    storage.write("c1", "r1", "a_0123456789.txt", b"first", "a.txt")
    folder = tmp_path / "storage" / "c1" / "r1"
    attrs = json.loads((folder / "a_0123456789.txt.attrs").read_text())
    assert attrs["user.content_type"] == "text/plain; charset=utf-8"
    assert attrs["user.metadata"] == {"original-filename": "a.txt"}

    def killed(src, dst):
        raise KeyboardInterrupt  # the worker dies between writing and renaming

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        storage.write("c1", "r1", "a_0123456789.txt", b"second, never seen half-written", "a.txt")
    monkeypatch.undo()
    assert (folder / "a_0123456789.txt").read_bytes() == b"first"
    assert sorted(os.listdir(folder)) == ["a_0123456789.txt", "a_0123456789.txt.attrs"]


@pytest.mark.parametrize("name", ["../x", "..", ".", "a/b", "a\\b", "a\x00b", "", "x.txt.attrs"])
def test_odd_names_never_reach_the_disk(tmp_path, name):
    storage = F.FileStorage(str(tmp_path))
    with pytest.raises(ValueError):
        storage.path("c1", "r1", name)
    if not name.endswith(".attrs"):  # an id may end so, a file name may not
        with pytest.raises(ValueError):
            storage.folder("c1", name or "..")
    assert storage.open("c1", "r1", name) is None


def test_symlinks_are_not_followed_out_of_storage(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    storage = F.FileStorage(str(tmp_path / "pb_data"))
    folder = tmp_path / "pb_data" / "storage" / "c1" / "r1"
    folder.mkdir(parents=True)
    (folder / "link.txt").symlink_to(secret)
    assert storage.open("c1", "r1", "link.txt") is None
    (tmp_path / "pb_data" / "storage" / "c2").symlink_to(tmp_path)  # a record folder that leads out
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "a.txt").write_text("outside")
    assert storage.open("c2", "r1", "a.txt") is None


# -- the seam and the route, on a real data folder ------------------------------------------------------------

DOCS = {"name": "docs", "type": "base", "listRule": "", "viewRule": "", "fields": [
    {"name": "one", "type": "file", "maxSelect": 1, "maxSize": 1024},
    {"name": "many", "type": "file", "maxSelect": 3},
    {"name": "txt", "type": "file", "maxSelect": 1, "mimeTypes": ["text/plain"]},
    {"name": "secret", "type": "file", "maxSelect": 1, "protected": True}]}


@pytest.fixture
def site(tmp_path):
    data_dir = str(tmp_path / "pb_data")
    store = store_for(data_dir)
    for shape in (DOCS, dict(DOCS, name="hidden", viewRule=None)):
        save_collection(store.db, Collection.from_api(shape))
    yield data_dir, store, Api(data_dir)
    forget(data_dir)


def _create(data_dir, store, collection="docs", **uploads):
    record = store.new_record(collection)
    record.set("id", F.random_part(15))
    plan = stage_files(data_dir, record, {}, {k: [UploadedFile(n, "text/plain", c) for n, c in v]
                                              for k, v in uploads.items()})
    plan.validate(store)
    with plan.applied():
        store.save(record)
    return record


def _folder(data_dir, record):
    return os.path.join(data_dir, "storage", record.collection["id"], record.id)


def test_uploads_are_written_replaced_removed_and_deleted_with_the_record(site):
    data_dir, store, _ = site
    record = _create(data_dir, store, one=[("a.txt", b"a")], many=[("p.png", PNG), ("q.txt", b"q")])
    first, (png, q) = record.get("one"), record.get("many")
    assert sorted(os.listdir(_folder(data_dir, record))) == sorted([first, first + ".attrs", png, png + ".attrs",
                                                                     q, q + ".attrs"])
    stored = store.find_record_by_id("docs", record.id)
    plan = stage_files(data_dir, stored, {"many-": [q]}, {"one": [UploadedFile("b.txt", "", b"b")],
                                                          "many+": [UploadedFile("c.txt", "", b"c")]})
    plan.validate(store)
    with plan.applied():
        store.save(stored)
    assert stored.get("one") != first and stored.get("many")[0] == png and len(stored.get("many")) == 2
    names = set(os.listdir(_folder(data_dir, record)))
    assert first not in names and q not in names and stored.get("one") in names
    store.delete(stored)
    delete_record_files(data_dir, stored.collection["id"], stored.id)
    assert not os.path.exists(_folder(data_dir, record))


def test_a_failed_save_removes_the_files_written_for_it(site):
    data_dir, store, _ = site
    record = store.new_record("docs")
    record.set("id", "x" * 15)
    plan = stage_files(data_dir, record, {}, {"one": [UploadedFile("a.txt", "", b"a")]})
    with pytest.raises(RuntimeError):
        with plan.applied():
            raise RuntimeError("the database refused")
    assert not os.listdir(_folder(data_dir, record)) if os.path.exists(_folder(data_dir, record)) else True


def test_file_errors_are_the_binarys(site):
    data_dir, store, _ = site
    record = store.new_record("docs")
    record.set("id", "y" * 15)
    plan = stage_files(data_dir, record, {"many": ["fake.txt"]}, {
        "one": [UploadedFile("big.txt", "", b"x" * 2000)], "txt": [UploadedFile("pic.txt", "", PNG)]})
    with pytest.raises(ValidationError) as caught:
        plan.validate(store)
    data = caught.value.data()
    assert data["one"] == {"code": "validation_file_size_limit", "params": {"file": "big.txt", "maxSize": 1024},
                           "message": "Failed to upload big.txt - the maximum allowed file size is 1024 bytes."}
    assert re.fullmatch(r'"pic_[a-z0-9]{10}\.txt" mime type must be one of: text/plain\.', data["txt"]["message"])
    assert data["many"] == {"code": "validation_invalid_file", "message": "Invalid new files: [fake.txt].",
                            "params": {"invalidFiles": ["fake.txt"]}}
    plan = stage_files(data_dir, record, {}, {"many": [UploadedFile("e.txt", "", b"e")] * 4})
    with pytest.raises(ValidationError) as caught:
        plan.validate(store)
    assert caught.value.data()["many"] == {"code": "validation_too_many_files", "params": {"maxSelect": 3},
                                           "message": "The maximum allowed files is 3."}


def _get(api, path, query="", headers=None):
    return api.handle(ApiRequest("GET", path, query, headers or {}))


def test_files_are_served_with_the_binarys_headers(site):
    data_dir, store, api = site
    record = _create(data_dir, store, one=[("a.txt", b"hello world")], many=[("p.png", PNG)])
    base = f"/api/files/docs/{record.id}/"
    answer = _get(api, base + record.get("one"))
    headers = dict(answer.headers)
    assert (answer.status, answer.body) == (200, b"hello world")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Disposition"] == f'attachment; filename="{record.get("one")}"'
    assert headers["Cache-Control"] == "max-age=2592000, stale-while-revalidate=86400"
    assert dict(_get(api, base + record.get("many")[0]).headers)["Content-Disposition"].startswith("inline;")
    assert dict(_get(api, base + record.get("many")[0], "download=1").headers)["Content-Disposition"].startswith(
        "attachment;")
    part = _get(api, base + record.get("one"), headers={"Range": "bytes=0-4"})
    assert (part.status, part.body, dict(part.headers)["Content-Range"]) == (206, b"hello", "bytes 0-4/11")
    assert _get(api, base + record.get("one"), headers={"Range": "bytes=100-"}).status == 416
    since = _get(api, base + record.get("one"), headers={"If-Modified-Since": headers["Last-Modified"]})
    assert (since.status, since.body) == (304, b"")
    assert _get(api, base + record.get("one"), "thumb=100x100").body == b"hello world"


@pytest.mark.parametrize("tail", ["nope.txt", "{one}.attrs", "..%2F..%2Fdata.db", "..", "%2E%2E"])
def test_anything_but_a_held_name_is_a_404(site, tail):
    data_dir, store, api = site
    record = _create(data_dir, store, one=[("a.txt", b"a")])
    answer = _get(api, f"/api/files/docs/{record.id}/" + tail.format(one=record.get("one")))
    assert answer is None or (answer.status, answer.value()["message"]) == (404, "The requested resource wasn't found.")


def test_unknown_collection_and_record(site):
    data_dir, store, api = site
    record = _create(data_dir, store, one=[("a.txt", b"a")])
    answer = _get(api, f"/api/files/nope/{record.id}/{record.get('one')}")
    assert (answer.status, answer.value()["message"]) == (404, "Missing or invalid collection context.")
    assert _get(api, f"/api/files/docs/{'z' * 15}/{record.get('one')}").status == 404


def test_protected_files_need_a_file_token_and_the_view_rule(site):
    data_dir, store, api = site
    open_record = _create(data_dir, store, secret=[("s.txt", b"secret!")])
    hidden = _create(data_dir, store, "hidden", secret=[("s.txt", b"secret!")], one=[("p.txt", b"pub")])
    assert _get(api, f"/api/files/docs/{open_record.id}/{open_record.get('secret')}").body == b"secret!"  # "" rule
    path = f"/api/files/hidden/{hidden.id}/{hidden.get('secret')}"
    assert _get(api, path).status == 404
    assert _get(api, f"/api/files/hidden/{hidden.id}/{hidden.get('one')}").body == b"pub"  # not protected
    superusers = store.find_collection_by_name_or_id("_superusers")
    admin = store.new_record("_superusers", {"email": "a@example.com", "password": "password123"})
    store.save(admin)
    auth_token_answer = api.handle(ApiRequest("POST", "/api/files/token"))
    assert (auth_token_answer.status, auth_token_answer.value()["message"]) == (
        401, "The request requires valid record authorization token.")
    token = issue_file_token(superusers, admin.id, admin.token_key())
    assert _get(api, path, f"token={token}").body == b"secret!"
    assert _get(api, path, "token=abc").status == 404
