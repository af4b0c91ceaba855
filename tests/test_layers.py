"""The module map's arrows hold: serve → http → hooks → render → bindings → realtime → api → data, never the other way.

Every import in the production packages is read from the source (top-level and inside
functions alike, relative ones resolved), so a new upward import fails here with the
file and line that made it.
"""
from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Each layer may import the ones after it in this list, never one before it.
ORDER = ["runtime.serve", "runtime.http", "runtime.hooks", "runtime.render", "bindings", "runtime.realtime", "runtime.api",
         "runtime.data"]
MAX_LINES = 400


def _layer(module: str) -> str | None:
    return next((layer for layer in ORDER if module == layer or module.startswith(layer + ".")), None)


def _modules():
    for top in ("runtime", "bindings"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                    yield path, rel[: -len(".__init__")] if rel.endswith(".__init__") else rel


def imports_of(path: str, module: str):
    """(line, imported module) for every import statement in the file."""
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if node.module:
                yield node.lineno, base
            else:  # from . import x: x is a module of that package
                for alias in node.names:
                    yield node.lineno, f"{base}.{alias.name}"


def test_imports_only_go_down_the_layers():
    wrong = []
    for path, module in _modules():
        mine = _layer(module)
        if mine is None:
            continue
        for line, target in imports_of(path, module):
            theirs = _layer(target)
            if theirs is not None and ORDER.index(theirs) < ORDER.index(mine):
                wrong.append(f"{os.path.relpath(path, ROOT)}:{line} ({mine}) imports {target}")
    assert not wrong, "imports going up the layers:\n" + "\n".join(wrong)


def test_the_check_sees_an_upward_import(tmp_path):
    """The reader resolves relative imports, so `from ..http import x` in render is caught."""
    source = tmp_path / "executor.py"
    source.write_text("def f():\n    from ..http.pipeline import PagesRuntime\n")
    found = list(imports_of(str(source), "runtime.render.executor"))
    assert found == [(2, "runtime.http.pipeline")]
    assert ORDER.index(_layer(found[0][1])) < ORDER.index(_layer("runtime.render.executor"))


@pytest.mark.parametrize("top", ["runtime", "bindings"])
def test_no_module_is_over_the_size_limit(top):
    big = []
    for path, _ in _modules():
        if os.path.relpath(path, ROOT).startswith(top):
            with open(path, encoding="utf-8") as f:
                count = sum(1 for _ in f)
            if count > MAX_LINES:
                big.append(f"{os.path.relpath(path, ROOT)}: {count} lines")
    assert not big, "modules over ~400 lines:\n" + "\n".join(big)
