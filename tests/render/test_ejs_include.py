"""include(): cycles and runaway recursion end in a clear error, never a hang."""
from __future__ import annotations

import pytest

from bindings import builtins
from runtime.render.engine import Engine, RenderError
from runtime.render.site import Site


def _engine(root, files: dict) -> Engine:
    builtins.load()
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Engine(Site(str(root)))


COUNTDOWN = {"page.ejs": "<%- include('down', {n: start}) %>",
             "_private/down.ejs": "<%= n %><% if (n > 0) { %>,<%- include('down', {n: n - 1}) %><% } %>"}


def test_cycle_between_two_partials_names_the_chain(tmp_path):
    engine = _engine(tmp_path, {"page.ejs": "top\n<%- include('a') %>",
                                "_private/a.ejs": "a\n<%- include('b') %>",
                                "_private/b.ejs": "b\n\n<%- include('a') %>"})
    with pytest.raises(RenderError) as caught:
        engine.render_file("page.ejs")
    error = caught.value.error
    assert error.message == "include cycle: page.ejs -> _private/a.ejs -> _private/b.ejs -> _private/a.ejs"
    assert (error.path, error.line) == ("_private/b.ejs", 3)


def test_partial_including_itself_with_the_same_data_is_a_cycle(tmp_path):
    engine = _engine(tmp_path, {"page.ejs": "<%- include('self', {x: 1}) %>",
                                "_private/self.ejs": "<%- include('self', {x: x}) %>"})
    with pytest.raises(RenderError, match="include cycle: page.ejs -> _private/self.ejs -> _private/self.ejs"):
        engine.render_file("page.ejs")


def test_recursive_partial_with_changing_data_renders(tmp_path):
    engine = _engine(tmp_path, COUNTDOWN)
    assert engine.render_file("page.ejs", {"start": 5}) == "5,4,3,2,1,0"


def test_sixty_four_nested_includes_are_allowed(tmp_path):
    engine = _engine(tmp_path, COUNTDOWN)
    out = engine.render_file("page.ejs", {"start": 63})  # n = 63 … 0: 64 nested includes
    assert out == ",".join(str(n) for n in range(63, -1, -1))


def test_sixty_five_nested_includes_are_an_error(tmp_path):
    engine = _engine(tmp_path, COUNTDOWN)
    with pytest.raises(RenderError) as caught:
        engine.render_file("page.ejs", {"start": 64})
    error = caught.value.error
    assert error.message.startswith("include depth over 64: page.ejs -> _private/down.ejs")
    assert (error.path, error.line) == ("_private/down.ejs", 1)


def test_unbounded_recursion_stops_at_the_depth_limit(tmp_path):
    engine = _engine(tmp_path, {"page.ejs": "<%- include('up', {n: 0}) %>",
                                "_private/up.ejs": "<%- include('up', {n: n + 1}) %>"})
    with pytest.raises(RenderError, match="include depth over 64"):
        engine.render_file("page.ejs")
    # The interpreter is still usable afterwards.
    (tmp_path / "ok.ejs").write_text("<%= 1 + 1 %>")
    assert engine.render_file("ok.ejs") == "2"
