"""The Go template engine (bindings/gotemplate/) without the binary: every case of template_cases.CASES
against the answers real PocketBase 0.40.6 gave (tests/fixtures/gotemplate_answers.json, recorded by
running test_template_oracle's routerAdd handler; that test compares with the live binary), and the
registry's behaviour around it: caching by text, files relative to the working directory, re-reading a
changed file, errors kept until render."""
import json
import os

import pytest

from bindings import gotemplate
from bindings.gotemplate import TemplateError, load_files, load_string
from tests.bindings.template_cases import CASES

ANSWERS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures",
                       "gotemplate_answers.json")


def rendered(text, data):
    try:
        return {"out": load_string(text).render(json.loads(json.dumps(data)))}
    except TemplateError as err:
        return {"err": str(err)}


@pytest.fixture(scope="module")
def answers():
    with open(ANSWERS, encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("name,text,data", CASES, ids=[c[0] for c in CASES])
def test_every_case_matches_the_recorded_binary(answers, name, text, data):
    assert rendered(text, data) == answers[name]


def test_the_recording_covers_the_table(answers):
    assert {c[0] for c in CASES} <= set(answers)


def test_templates_are_parsed_once_per_text():
    first = load_string("<p>{{.}}</p>")
    assert load_string("<p>{{.}}</p>") is first
    assert first.render("<b>") == "<p>&lt;b&gt;</p>" and first.render(3) == "<p>3</p>"


def test_a_parse_error_waits_for_render():
    broken = load_string("{{if .x}}")
    with pytest.raises(TemplateError, match=r"^template: :1: unexpected EOF$"):
        broken.render({})


def test_files_are_relative_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "base.html").write_text('<h1>{{block "t" .}}{{end}}</h1>')
    (tmp_path / "views" / "page.html").write_text('{{define "t"}}{{.}}{{end}}')
    monkeypatch.chdir(tmp_path)
    assert load_files(["views/base.html", "views/page.html"]).render("a&b") == "<h1>a&amp;b</h1>"
    with pytest.raises(TemplateError, match=r"^open views/none.html: no such file or directory$"):
        load_files(["views/none.html"]).render(None)


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "t.html"
    path.write_text("one {{.}}")
    assert load_files([str(path)]).render(1) == "one 1"
    path.write_text("two {{.}}")
    os.utime(path, ns=(1, 10 ** 18))
    assert load_files([str(path)]).render(2) == "two 2"


def test_the_cache_is_bounded():
    for i in range(gotemplate._CACHE_LIMIT + 10):
        load_string(f"{{{{.}}}} {i}")
    assert len(gotemplate._SETS) <= gotemplate._CACHE_LIMIT


def test_deep_recursion_is_an_error_not_a_crash():
    text = '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}'
    with pytest.raises(TemplateError, match="exceeded maximum template depth"):
        load_string(text).render(1)
