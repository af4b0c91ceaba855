"""Requests are isolated in the long-lived interpreter (tests/sites/pp_isolation).

/pollute changes built-ins, creates globals (four ways, plus a swapped global prototype),
adds properties to API functions every request shares, and bumps a module-level counter; /check must see none of it on any later request.
One worker, so every /check runs in the very interpreter the previous /pollute just used.
"""
import json
import os


from tests.helpers import SITES, served

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

SITE = os.path.join(SITES, "pp_isolation")
CLEAN = {"polluted": "undefined", "map": "function", "trim": "a", "json": "function", "random": True,
         "freeze": "function", "leak": "undefined", "leak2": "undefined", "leak3": "undefined",
         "leak4": "undefined", "shared": ",".join(["undefined"] * 5), "leak5": "undefined", "leak6": "undefined", "sticky": "undefined", "counter": 0, "first": 1}


server = served(SITE, *ONE)


def test_polluting_page_still_renders_and_its_own_globals_work(server):
    res = server.get("/pollute")
    assert res.status == 200
    # sloppy-mode writes to frozen built-ins fail silently; the page's own globals work until it ends
    assert res.text.strip() == "polluted ok 2 own toString number number"


def test_next_requests_see_no_prototype_global_or_module_state(server):
    for _ in range(12):
        assert server.get("/pollute").status == 200
        res = server.get("/check")
        assert res.status == 200
        assert res.json() == CLEAN


def test_undeletable_global_gets_the_next_request_a_fresh_interpreter(server):
    from tests.helpers import wait_for

    res = server.get("/sticky")
    assert res.status == 200 and res.text.strip() == "sticky set string"
    assert wait_for(lambda: "left undeletable globals ['sticky']; replacing the interpreter" in server.log)
    for _ in range(3):
        assert server.get("/check").json() == CLEAN


def test_strict_mode_write_to_a_builtin_throws(server):
    assert server.get("/strict").text.strip() == "TypeError"


EXPECT_SAFE = {"mwOk": 1, "dataAdmin": "undefined", "dataAdmin2": "undefined", "dataProto": True,
               "mergeAdmin": "undefined", "mergeAdmin2": "undefined", "bodyAdmin": "undefined", "mergedProto": True,
               "paramsAdmin": "undefined", "formAdmin": "undefined", "emptyObject": "0:undefinedundefinedundefined"}


def test_proto_keys_in_json_body_query_and_middleware_result_pollute_nothing(server):
    body = json.dumps({"__proto__": {"bodyAdmin": True}, "constructor": {"prototype": {"bodyAdmin2": True}}})
    res = server.request("POST", "/proto?__proto__=%7B%22qAdmin%22%3Atrue%7D&constructor[prototype][qAdmin]=1",
                         body=body, headers={"Content-Type": "application/json"})
    assert res.status == 200
    assert res.json() == EXPECT_SAFE
    res = server.post("/proto", form={"__proto__": "x", "constructor": "y", "formAdmin": "z"})
    assert res.json() == EXPECT_SAFE
    assert server.get("/check").json() == CLEAN


def test_usual_overrides_still_work_on_objects_inheriting_frozen_builtins(server):
    # constructor/toString/valueOf/hasOwnProperty and an error's name/message stay assignable
    # on ordinary objects; only the shared built-in itself is read-only (strict code gets TypeError)
    for _ in range(2):
        res = server.get("/override")
        assert res.status == 200
        assert res.text.strip() == "5 EUR|NotFound|Custom:changed|8|mine|TypeError"
