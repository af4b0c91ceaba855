"""Every case of the ejs 3.1.10 corpus (tests/fixtures/ejs/cases.json) through a real Engine.

Each case is written to its own pages root and its entry rendered with the case data as
bare-name locals (``Engine.render_file``), so includes, escaping and error location take
the same path as a served page.
"""
from __future__ import annotations

import json
import os

import pytest

from bindings import builtins
from runtime.render.engine import Engine, RenderError
from runtime.render.site import Site

CORPUS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "ejs", "cases.json")
with open(CORPUS, encoding="utf-8") as _f:
    CASES = json.load(_f)

# Where QuickJS legitimately differs from V8 (same template semantics, different engine text).
# Each entry is documented in the README's "differences from PocketPages" section.
_DATE = "QuickJS's Date#toString ends at 'GMT+0000'; V8 appends the zone name ' (Coordinated Universal Time)'"
ENGINE_DIFFERENCES: dict[str, str] = {"escape_date_object": _DATE, "raw_date_object": _DATE}

# ejs sets its line counter once per tag, so an error inside a multi-line tag is reported
# at the line where the tag starts; pagesvm reports the exact line of the failing code.
EXACT_LINES: dict[str, int] = {"error_reference_multiline_tag": 3}  # `missing` is on line 3; the tag opens on 1


def _param(case):
    marks = []
    if case["name"] in ENGINE_DIFFERENCES:
        marks.append(pytest.mark.xfail(strict=True, reason=ENGINE_DIFFERENCES[case["name"]]))
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.fixture(scope="module", autouse=True)
def _families():
    builtins.load()


def _engine(root, files: dict) -> Engine:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
    return Engine(Site(str(root)))


def test_corpus_is_complete():
    assert len(CASES) == 248
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [_param(c) for c in CASES if "error" not in c])
def test_output_matches_ejs(case, tmp_path):
    engine = _engine(tmp_path, case["files"])
    expected = case["expected"] if case["expected"] is not None else ""
    assert engine.render_file(case["entry"], case["data"]) == expected


@pytest.mark.parametrize("case", [_param(c) for c in CASES if "error" in c])
def test_error_matches_ejs(case, tmp_path):
    engine = _engine(tmp_path, case["files"])
    want = case["error"]
    with pytest.raises(RenderError) as caught:
        engine.render_file(case["entry"], case["data"])
    got = caught.value.error
    assert (got.name, got.path, got.line) == (want["type"], want["file"], EXACT_LINES.get(case["name"], want["line"]))
