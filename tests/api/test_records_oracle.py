"""The records API under API rules against the real PocketBase 0.40: the same request to the binary and to
pagesvm's Api over a copy of the binary's data.db, statuses and bodies compared (new ids and timestamps
normalised). Cases run in order; the writes come last and leave both sides alike."""
from __future__ import annotations

import pytest

from tests.api.records_oracle_setup import Sides

P = "/api/collections/posts/records"
U = "/api/collections/users/records"

READS = [
    # owner rules, anonymous and signed in
    ("list anonymous", "GET", P, None, None, None),
    ("list as A", "GET", P, None, "A", None),
    ("list as B", "GET", P + "?sort=-views", None, "B", None),
    ("list as superuser", "GET", P + "?sort=title", None, "SU", None),
    ("view draft as owner", "GET", P + "/{P2}", None, "A", None),
    ("view draft as other", "GET", P + "/{P2}", None, "B", None),
    ("view draft anonymous", "GET", P + "/{P2}", None, None, None),
    ("view unowned draft anonymous", "GET", P + "/{P4}", None, None, None),
    ("view unknown id", "GET", P + "/nope12345", None, "A", None),
    ("view as superuser shows hidden", "GET", P + "/{P1}", None, "SU", None),
    # null and "" rules
    ("null list rule anonymous", "GET", "/api/collections/secrets/records", None, None, None),
    ("null list rule user", "GET", "/api/collections/secrets/records", None, "A", None),
    ("null view rule user", "GET", "/api/collections/secrets/records/{S1}", None, "A", None),
    ("null rule superuser", "GET", "/api/collections/secrets/records", None, "SU", None),
    ("public list", "GET", "/api/collections/notes/records", None, None, None),
    ("unknown collection", "GET", "/api/collections/nothing/records", None, None, None),
    ("unknown collection view", "GET", "/api/collections/nothing/records/abc", None, "A", None),
    # @request.headers / query / method / context
    ("headers rule refused", "GET", "/api/collections/gated/records", None, None, None),
    ("headers rule passes", "GET", "/api/collections/gated/records", None, None, {"X-Token": "abc"}),
    ("query rule passes", "GET", "/api/collections/gated/records?key=k1", None, None, None),
    ("query view rule refused", "GET", "/api/collections/gated/records/{G1}", None, None, None),
    ("query view rule passes", "GET", "/api/collections/gated/records/{G1}?key=k1", None, None, None),
    # pagination, skipTotal, sort, filter
    ("page 2 of 2", "GET", P + "?page=2&perPage=2&sort=title", None, "SU", None),
    ("perPage over max", "GET", P + "?perPage=5000", None, "A", None),
    ("perPage zero", "GET", P + "?perPage=0&page=0", None, "A", None),
    ("bad page", "GET", P + "?page=x", None, "A", None),
    ("bad skipTotal", "GET", P + "?skipTotal=maybe", None, "A", None),
    ("skipTotal", "GET", P + "?skipTotal=1&sort=-created", None, "A", None),
    ("filter and rule", "GET", P + "?filter=views>4", None, "A", None),
    ("filter by relation", "GET", P + "?filter=owner.name='Bob'", None, None, None),
    ("filter through hidden-by-rule relation", "GET", P + "?filter=thing.label~'thing'", None, "A", None),
    ("filter on hidden field", "GET", P + "?filter=secret='s1'", None, "A", None),
    ("filter on hidden field superuser", "GET", P + "?filter=secret='s1'", None, "SU", None),
    ("sort on hidden field", "GET", P + "?sort=secret", None, "A", None),
    ("filter on private email", "GET", U + "?filter=email~'example'", None, None, None),
    ("filter back-relation", "GET", P + "?filter=comments_via_post.text~'draft'", None, "A", None),
    ("comments filtered through posts rule", "GET", "/api/collections/comments/records?filter=post.title~'a'",
     None, None, None),
    ("comments through a hidden post", "GET", "/api/collections/comments/records?filter=post.views>0", None, None,
     None),
    ("comments through a post as owner", "GET", "/api/collections/comments/records?filter=post.views>0", None, "A",
     None),
    ("expand back-relation under list rule", "GET", P + "?expand=comments_via_post&sort=title", None, "B", None),
    ("client filter with @request", "GET", P + "?filter=owner=@request.auth.id", None, "A", None),
    ("client filter with @collection", "GET", P + "?filter=@collection.notes.text='x'", None, "A", None),
    ("superuser filter with @collection", "GET", P + "?filter=@collection.notes.text?='hello'", None, "SU", None),
    ("bad filter", "GET", P + "?filter=title=", None, "A", None),
    ("unknown field", "GET", P + "?filter=nope=1", None, "A", None),
    ("bad sort", "GET", P + "?sort=nope", None, "A", None),
    # expand and fields
    ("expand owner and thing as A", "GET", P + "/{P1}?expand=owner,thing", None, "A", None),
    ("expand thing hidden from B", "GET", P + "/{P1}?expand=thing", None, "B", None),
    ("expand anonymous list", "GET", P + "?expand=owner.team,thing", None, None, None),
    ("expand back-relation", "GET", P + "/{P1}?expand=comments_via_post", None, None, None),
    ("expand secrets never", "GET", "/api/collections/notes/records?expand=nothing", None, None, None),
    ("fields with expand path", "GET", P + "?fields=id,title,expand.owner.name&expand=owner&sort=title", None,
     "A", None),
    ("fields star and excerpt", "GET", P + "/{P1}?fields=*,body:excerpt(9,true)", None, None, None),
    ("fields on list with skipTotal", "GET", P + "?fields=title&skipTotal=true", None, None, None),
    # auth records: email visibility, hidden fields, manage rule
    ("users anonymous", "GET", U + "?sort=name", None, None, None),
    ("users as A", "GET", U + "?sort=name", None, "A", None),
    ("users as admin manager", "GET", U + "?sort=name", None, "C", None),
    ("users as superuser", "GET", U + "?sort=name", None, "SU", None),
    # injection attempts
    ("filter injection text", "GET", P + "?filter=title='x'' OR 1=1 --'", None, None, None),
    ("filter injection identifier", "GET", P + "?filter=title=1)%20OR%20(1=1", None, None, None),
    ("sort injection", "GET", P + "?sort=title;DROP TABLE posts", None, None, None),
    ("expand injection", "GET", P + "?expand=owner`)--", None, None, None),
    ("fields injection", "GET", P + "?fields=id,'x'", None, None, None),
    ("json path injection", "GET", P + "?filter=data.a')%20OR%20('1'='1", None, "SU", None),
]

WRITES = [
    ("create anonymous refused", "POST", P, {"title": "x"}, None, None),
    ("create for another owner refused", "POST", P, {"title": "x", "owner": "{B}"}, "A", None),
    ("create without title refused by rule", "POST", P, {"owner": "{A}"}, "A", None),
    ("create validation", "POST", P, {"title": "", "owner": "{A}", "views": -1}, "A", None),
    ("create as A", "POST", P, {"title": "New one", "owner": "{A}", "tags": ["go"], "secret": "no"}, "A", None),
    ("create on null rule", "POST", "/api/collections/secrets/records", {"code": "1"}, "A", None),
    ("create body :length/:each/:lower refused", "POST", "/api/collections/gated/records",
     {"text": "HELLO", "flags": ["a", "c"]}, None, None),
    ("create body :length/:each/:lower", "POST", "/api/collections/gated/records",
     {"text": "HeLLo", "flags": ["a", "b"]}, None, None),
    ("update :changed refused", "PATCH", "/api/collections/gated/records/{G1}", {"text": "other"}, None, None),
    ("update :changed same value", "PATCH", "/api/collections/gated/records/{G1}", {"text": "hello"}, None, None),
    ("update other's post", "PATCH", P + "/{P3}", {"title": "mine"}, "A", None),
    ("update own post changing owner", "PATCH", P + "/{P1}", {"owner": "{B}"}, "A", None),
    ("update own post with modifiers", "PATCH", P + "/{P1}", {"tags+": "py", "views+": 5, "tags-": ["go"]},
     "A", None),
    ("update validation", "PATCH", P + "/{P1}", {"title": "x" * 101}, "A", None),
    ("update unknown", "PATCH", P + "/zzzzzz", {"title": "y"}, "A", None),
    ("notes form body typed", "POST", "/api/collections/notes/records", None, None, "form"),
    ("user changes own email without manage", "PATCH", U + "/{A}", {"email": "new@example.com"}, "A", None),
    ("user sets verified", "PATCH", U + "/{A}", {"verified": True}, "A", None),
    ("password without old", "PATCH", U + "/{A}", {"password": "another-pass", "passwordConfirm": "another-pass"},
     "A", None),
    ("create user verified refused", "POST", U, {"email": "d@example.com", "password": "secret-pass-1",
                                                 "passwordConfirm": "secret-pass-1", "verified": True}, None, None),
    ("create user password mismatch", "POST", U, {"email": "e@example.com", "password": "secret-pass-1",
                                                  "passwordConfirm": "other"}, None, None),
    ("delete other's post", "DELETE", P + "/{P3}", None, "A", None),
    ("delete through team owner", "DELETE", P + "/{P2}", None, "B", None),
    ("delete gated without team", "DELETE", "/api/collections/gated/records/{G1}", None, "A", None),
    ("delete gated as team owner", "DELETE", "/api/collections/gated/records/{G1}", None, "B", None),
    ("delete null rule", "DELETE", "/api/collections/secrets/records/{S1}", None, "A", None),
    ("delete own", "DELETE", "/api/collections/notes/records/{N2}", None, None, None),
    ("after writes", "GET", P + "?sort=title", None, "SU", None),
]

FORMS = {"form": {"text": "typed", "n": "12", "flags": ["a", "b"]}}


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    running = Sides(str(tmp_path_factory.mktemp("records_oracle")))
    yield running
    running.stop()


@pytest.mark.parametrize("name,method,path,body,who,extra", READS + WRITES, ids=[c[0] for c in READS + WRITES])
def test_records_api_answers_as_pocketbase(sides, name, method, path, body, who, extra):
    if isinstance(extra, str):
        theirs, ours = sides.ask(method, path, who=who, form=FORMS[extra])
    else:
        theirs, ours = sides.ask(method, path, body, who=who, headers=extra)
    assert ours == theirs
    if "fields=" not in path:  # the binary's picker writes what it keeps in Go's random map order
        assert key_order(ours) == key_order(theirs)  # Go writes a record's keys (a map's) sorted


def key_order(value):
    """Every object's keys in the order the answer wrote them, nested."""
    if isinstance(value, dict):
        return [(key, key_order(item)) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [key_order(item) for item in value]
    return None


def test_enough_cases():
    assert len(READS) + len(WRITES) >= 40
