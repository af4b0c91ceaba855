"""`$template` against the real PocketBase's JSVM: every case of template_cases.CASES (each escaping
context, values with <>&'" , unicode, numbers, nested and missing data, parse and execution errors) is
rendered by `$template.loadString(text).render(data)` in a `routerAdd` handler on the binary and in a page
on `pagesvm serve`; `loadFiles` renders a layout and a page from files (absolute paths: the two processes
have different working directories); and a seeded random corpus (template_cases.generated) of actions in
every context, in branches, loops and template calls. Outputs and error messages must be the same bytes."""
import json

import pytest

from tests.bindings.template_cases import CASES, generated, mutated
from tests.helpers import oracle_answers, write_site

FILES = {
    "layout.html": '<html><title>{{block "title" .}}Default{{end}}</title>'
                   '<body>{{block "content" .}}{{end}}</body></html>',
    "page.html": '{{define "title"}}{{.title}}{{end}}\n{{define "content"}}<a href="{{.link}}">{{.title}}</a>'
                 '<script>var d = {{.}};</script>{{template "row" .rows}}{{end}}\n',
    "rows.html": '{{define "row"}}{{range .}}<p class="{{.}}">{{.}}</p>{{end}}{{end}}',
    "broken.html": "line one\n{{if .x}}\nunclosed",
    "fails.html": "a\n  {{index .rows 9}}",
}
CORPUS = [case for seed in (1, 2, 3, 4) for case in generated(seed, 200) + mutated(seed, 150)]
FILE_DATA = {"title": "Tom & <Jerry>", "link": "javascript:x()", "rows": ["a b", "<c>"]}

SNIPPET = """
const out = {}
const attempt = (name, fn) => { try { out[name] = {out: fn()} } catch (err) { out[name] = {err: String(err && err.message || err)} } }
for (const [name, text, data] of %(cases)s) attempt(name, () => $template.loadString(text).render(data))
const dir = %(dir)s
const at = (n) => dir + "/" + n
const fileData = %(data)s
attempt("files_layout", () => $template.loadFiles(at("layout.html"), at("page.html"), at("rows.html")).render(fileData))
attempt("files_page_first", () => $template.loadFiles(at("page.html"), at("layout.html"), at("rows.html")).render(fileData))
attempt("files_missing", () => $template.loadFiles(at("layout.html"), at("nothere.html")).render(fileData))
attempt("files_parse_error", () => $template.loadFiles(at("broken.html")).render(fileData))
attempt("files_exec_error", () => $template.loadFiles(at("fails.html")).render(fileData))
attempt("files_no_data", () => $template.loadFiles(at("rows.html")).render())
attempt("string_no_data", () => $template.loadString("[{{.}}]").render())
attempt("twice", () => { const t = $template.loadString("{{.}}"); return t.render("<a>") + t.render(5) })
try { $template.loadString("{{").render({}) } catch (err) { out.errorShape = [err instanceof Error, typeof err.message] }
"""
HOOK = 'routerAdd("GET", "/oracle", (e) => {\n%s\nreturn e.json(200, out)\n})\n'
PAGE = "<%%\n%s\n%%><%%- JSON.stringify(out) %%>"


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    files = str(tmp_path_factory.mktemp("templates"))
    write_site(files, FILES)
    snippet = SNIPPET % {"cases": json.dumps(CASES + CORPUS), "dir": json.dumps(files), "data": json.dumps(FILE_DATA)}
    site = write_site(tmp_path_factory.mktemp("site"), {"pb_hooks/pages/oracle.ejs": PAGE % snippet})
    return oracle_answers(str(tmp_path_factory.mktemp("pb")), {"oracle.pb.js": HOOK % snippet}, site,
                          str(tmp_path_factory.mktemp("data")))


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_load_string_renders_as_the_binary(answers, name):
    binary, ours = answers
    assert ours[name] == binary[name]


@pytest.mark.parametrize("name", ["files_layout", "files_page_first", "files_missing", "files_parse_error",
                                  "files_exec_error", "files_no_data", "string_no_data", "twice", "errorShape"])
def test_load_files_and_renderers_as_the_binary(answers, name):
    binary, ours = answers
    assert ours[name] == binary[name]


def test_the_random_corpus_renders_as_the_binary(answers):
    binary, ours = answers
    wrong = [(text, data, binary[name], ours[name]) for name, text, data in CORPUS if ours[name] != binary[name]]
    assert not wrong, f"{len(wrong)} of {len(CORPUS)} differ, first: {wrong[0]}"


def test_the_answers_are_not_empty(answers):
    binary, ours = answers
    assert set(ours) == set(binary)
    assert len(CASES) >= 40
    assert binary["href_js"] == {"out": '<a href="#ZgotmplZ">x</a>'}
    assert sum("err" in v for v in binary.values()) >= 8
