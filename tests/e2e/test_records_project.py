"""A PocketBase project served by `pagesvm serve`: its pb_migrations run (a collection, and a record made in the
migration), pages create a record from a form and read it back by id, show a validation error, roll back a
transaction that throws, and a transaction stopped by the time limit leaves nothing behind. Then the real
`pocketbase serve` on the data.db pagesvm wrote lists the records the pages created."""
import os
import re

import pytest

from tests.helpers import SITES, PocketBase, start_server

PROJECT = os.path.join(SITES, "records_project")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp("records"))


@pytest.fixture(scope="module")
def server(folder):
    running = start_server(PROJECT, "--workers", "1", "--timeout", "1", data_dir=os.path.join(folder, "pb_data"))
    yield running
    running.stop()


def _created(server, title, views="3", published="true"):
    answer = server.post("/", form={"title": title, "views": views, "published": published})
    assert answer.status == 302, answer.text
    location = answer.header("location")
    assert re.fullmatch(r"/posts/[a-z0-9]{15}", location)
    return location


def test_a_migration_record_is_served(server):
    page = server.get("/posts/seededbymigrate")
    assert page.status == 200
    assert "<h1>Seeded by a migration</h1>" in page.text and "1 views" in page.text and "draft" in page.text


def test_a_form_creates_a_record_read_back_by_id(server):
    location = _created(server, "Hello <world>", views="4")
    page = server.get(location)
    assert page.status == 200
    assert "<h1>Hello &lt;world&gt;</h1>" in page.text
    assert "4 views" in page.text and "published" in page.text and '<p class="collection">posts</p>' in page.text


def test_a_refused_save_shows_the_binary_message(server):
    page = server.post("/", form={"title": "", "views": "-2"})
    assert page.status == 200
    assert "title: cannot be blank; views: Must be greater or equal than 0." in page.text
    invalid = server.get("/invalid")
    assert "title: cannot be blank; views: Must be greater or equal than 0." in invalid.text
    assert "{&#34;title&#34;:&#34;cannot be blank&#34;,&#34;views&#34;:&#34;Must be greater or equal than 0&#34;}" \
        in invalid.text


def test_a_missing_record_is_a_404_with_the_binary_text(server):
    page = server.get("/posts/doesnotexist123")
    assert page.status == 404
    assert "sql: no rows in result set" in page.text


def test_a_transaction_that_throws_is_rolled_back(server):
    page = server.get("/transaction")
    assert '<p class="thrown">changed my mind</p>' in page.text
    assert '<p class="after">sql: no rows in result set</p>' in page.text


def test_a_transaction_stopped_by_the_time_limit_is_rolled_back_before_the_next_request(server):
    assert server.get("/leave-open").status == 504
    location = _created(server, "After the timeout")  # the write lock is free again
    assert "After the timeout" in server.get(location).text


def test_pocketbase_lists_what_the_pages_created(server, folder):
    _created(server, "Listed by PocketBase", views="9")
    server.stop()
    pb = PocketBase(folder)
    try:
        status, listing = pb.call("GET", "/api/collections/posts/records?perPage=100&sort=created")
    finally:
        pb.stop()
    assert status == 200, listing
    titles = [item["title"] for item in listing["items"]]
    assert "Seeded by a migration" in titles and "Hello <world>" in titles and "Listed by PocketBase" in titles
    assert "Never kept" not in titles and "Left open" not in titles
    listed = next(item for item in listing["items"] if item["title"] == "Listed by PocketBase")
    assert listed["views"] == 9 and listed["published"] is True


def test_a_data_db_made_by_pocketbase_serves_unchanged(tmp_path):
    """The project's pb_data made by the real binary (its migrations run there, a record created through
    its REST API) is served by pagesvm as it is: nothing migrated again, every record readable."""
    pb = PocketBase(str(tmp_path), migrations=os.path.join(PROJECT, "pb_migrations"))
    try:
        status, made = pb.call("POST", "/api/collections/posts/records",
                               {"title": "Made by PocketBase", "views": 7, "published": True})
    finally:
        pb.stop()
    assert status == 200, made
    data = os.path.join(str(tmp_path), "pb_data")
    served = start_server(PROJECT, "--workers", "1", data_dir=data)
    try:
        page = served.get(f"/posts/{made['id']}")
        seeded = served.get("/posts/seededbymigrate")
    finally:
        served.stop()
    assert page.status == 200 and "<h1>Made by PocketBase</h1>" in page.text and "7 views" in page.text
    assert seeded.status == 200 and "Seeded by a migration" in seeded.text
    assert "Applied " not in served.log  # the binary's _migrations rows are taken as they are
