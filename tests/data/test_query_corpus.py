"""The query corpus itself (no binary needed): enough cases, unique names, every operator and modifier the issue
lists, and well-formed cases the shared runner understands."""
import re

from tests.data.query_corpus import CASES

METHODS = {"findRecordsByFilter", "findFirstRecordByFilter", "countRecords", "findRecordsByIds", "findAllRecords",
           "findFirstRecordByData", "findAuthRecordByEmail", "expandRecords", "expandRecord"}


def test_at_least_150_cases_with_unique_names():
    names = [case["name"] for case in CASES]
    assert len(names) >= 150
    assert len(set(names)) == len(names)


def test_every_case_is_well_formed():
    for case in CASES:
        assert case["method"] in METHODS, case
        assert case["name"].startswith(case["category"] + ":"), case
        if case["method"] in ("findRecordsByFilter", "findFirstRecordByFilter", "expandRecords"):
            assert isinstance(case["filter"], str), case
        if "params" in case:
            assert isinstance(case["params"], dict), case


def test_every_operator_and_modifier_is_covered():
    filters = "\n".join(case.get("filter", "") for case in CASES)
    for operator in ["?!~", "?>=", "?<=", "?!=", "?~", "?=", "?>", "?<", "!~", "!=", ">=", "<=", "~", "=", ">", "<"]:
        assert re.search(r"[\w)'\]] " + re.escape(operator) + r" ", filters), operator
    for piece in ["&&", "||", "(", "//", "{:", "@now", "@yesterday", "@todayStart", "@yearEnd", "_via_", "author.",
                  ":length", ":each", ":isset", ":lower", "true", "false", "null", "@collection."]:
        assert piece in filters, piece
    sorts = {case.get("sort", "") for case in CASES}
    assert {"-views,title", "@random"} <= sorts
    assert {case["category"] for case in CASES} >= {"injection", "errors", "expand", "params", "sort"}
