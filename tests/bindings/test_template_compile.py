"""Compiled templates (bindings/gotemplate/compile.py) against the interpreter (exec.py): every case of
template_cases.CASES and a larger seeded random corpus than the oracle test renders (actions in every
context, branches, loops, variables, template calls, and broken templates) gives the same bytes or the
same error either way; the bench's template and the common constructs really are compiled."""
import json

import pytest

from bindings.gotemplate import TemplateError, TemplateSet
from bindings.gotemplate import exec as X
from tests.bindings.template_cases import CASES, generated, mutated

CORPUS = CASES + [case for seed in range(1, 9) for case in generated(seed, 300) + mutated(seed, 150)]
BENCH = """<!doctype html>
<html><head><title>{{.title}}</title></head>
<body><ul>{{range .items}}
<li><a href="/items/{{.id}}" title="{{.note}}">{{.name}}</a></li>{{end}}
</ul></body></html>
"""
COMMON = ('{{$n := len .items}}{{range $i, $v := .items}}{{if eq $i 1}}{{continue}}{{else if gt $i 3}}{{break}}'
          '{{end}}<p class="{{$v.name}}" onclick="go({{$v.id}})">{{printf "%d/%d %s" $i $n $v.note}}</p>'
          '{{with $v.tags}}{{range .}}<i>{{.}}</i>{{else}}-{{end}}{{end}}{{end}}'
          '{{define "x"}}<b>{{.}}</b>{{end}}{{template "x" .title}}{{if and .title (not .missing)}}ok{{end}}')


def render(text, data, compiled):
    made = TemplateSet("")
    try:
        made.add("", text)
    except TemplateError as err:
        made.error = str(err)
    X.COMPILE = compiled
    try:
        return {"out": made.render(json.loads(json.dumps(data)))}, made
    except TemplateError as err:
        return {"err": str(err)}, made
    finally:
        X.COMPILE = True


def bench_data(rows):
    items = [{"id": i, "name": f'Item <{i}> & "friends"', "note": f"it's #{i}", "tags": ["a", "<b>"][:i % 3]}
             for i in range(rows)]
    return {"title": "Items & more", "items": items}


def test_the_corpus_renders_the_same_compiled_or_interpreted():
    compiled_sets = 0
    for name, text, data in CORPUS:
        want, _ = render(text, data, False)
        got, made = render(text, data, True)
        assert got == want, (name, text)
        if made.analysis is not None and any(made.analysis.compiled.values()):
            compiled_sets += 1
    assert compiled_sets > len(CORPUS) // 2  # most of the corpus runs compiled, not in the fallback


@pytest.mark.parametrize("text", [BENCH, COMMON], ids=["bench", "common"])
def test_the_common_constructs_are_compiled(text):
    for rows in (0, 1, 20):
        want, _ = render(text, bench_data(rows), False)
        got, made = render(text, bench_data(rows), True)
        assert got == want and "out" in got
        assert made.analysis.compiled and all(made.analysis.compiled.values())


def test_generated_lines_name_their_template_line():
    from bindings.gotemplate.compile import Compiler
    made = TemplateSet("")
    made.add("", BENCH)
    made.render(bench_data(1))
    source = Compiler(made.analysis, "", made.analysis.calls and next(iter(made.analysis.calls))[1])
    source.body(made.trees[""][0], "dot")
    source.flush()
    assert any(line.endswith('# "":4') for line in source.lines)
    assert any(line.lstrip().startswith("for ") for line in source.lines)


def test_errors_name_the_same_node_compiled():
    text = '<p>{{range .items}}{{.name.first}}{{end}}</p>'
    want, _ = render(text, {"items": [{"name": "x"}]}, False)
    got, _ = render(text, {"items": [{"name": "x"}]}, True)
    assert got == want == {"err": 'template: :1:26: executing "" at <.name.first>: can\'t evaluate field first in '
                                  'type interface {}'}
