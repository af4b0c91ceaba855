"""Compiler details the ejs corpus cannot show: PocketPages' <script server> rewrite, live `locals`."""
from __future__ import annotations

import pytest

from bindings import builtins
from runtime.render.ejs_compiler import compile_template, preprocess
from runtime.render.engine import Engine, RenderError
from runtime.render.site import Site


def test_script_server_becomes_a_code_tag_with_the_spaces_pocketpages_adds():
    assert preprocess("<script server>a()</script>") == "<% a() %>"
    assert preprocess("<script \n\t server>x</script>y</script>") == "<% x %>y</script>"


@pytest.mark.parametrize("text", ["<script server >x</script>", '<script server="">x</script>',
                                  "<SCRIPT SERVER>x</SCRIPT>", "<script server>never closed"])
def test_script_server_variants_pocketpages_leaves_alone(text):
    assert preprocess(text) == text


def _render(tmp_path, text: str, locals: dict | None = None) -> str:
    builtins.load()
    (tmp_path / "page.ejs").write_text(text)
    return Engine(Site(str(tmp_path))).render_file("page.ejs", locals)


def test_script_server_body_starting_with_equals_is_code_not_output(tmp_path):
    # PocketPages turns it into `<% =x %>`, a syntax error, not the output tag `<%=x%>`.
    with pytest.raises(RenderError) as caught:
        _render(tmp_path, "<script server>=x</script>", {"x": 1})
    assert caught.value.error.name == "SyntaxError"


def test_script_server_body_ending_with_dash_does_not_trim(tmp_path):
    # `<% a-- %>` is not the trimming close `-%>`: the code keeps its `--`, the newline stays.
    assert _render(tmp_path, "<script server>var a = 2; a--</script>\n<%= a %>") == "\n1"


def test_locals_and_bare_names_are_one_variable(tmp_path):
    text = "<% n = n + 1; locals.m = 'set' %><%= n %>|<%= locals.n %>|<%= m %>"
    assert _render(tmp_path, text, {"n": 1, "m": "old"}) == "2|2|set"


def test_generated_code_keeps_template_lines():
    template = compile_template("a\n<% var x = 1 %>\n<%= x %>\nz", "p.ejs")
    lines = template.source.split("\n")
    assert template.template_line(lines.index(next(l for l in lines if "__esc( x )" in l)) + 1) == 3
