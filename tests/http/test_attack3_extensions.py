"""Attack: an extension imported by another extension's load. Its ``@binding``/``@on_request``
calls were recorded into the importing load only, so a runtime that named it directly
afterwards got none of them — silently, on_request hooks included (a tenant or access hook
just not running). Which runtime saw what depended on the order they were built in."""
import subprocess
import sys
import textwrap

from tests.helpers import ROOT

SCRIPT = textwrap.dedent("""
    import json, sys
    from runtime.http.extensions import registry_for
    order = sys.argv[1].split(",")
    seen = {}
    for name in order:
        r = registry_for([name])
        seen[name] = {"bindings": sorted(k for k in r.bindings if k in ("ay", "bee")),
                      "hooks": sorted(h.__name__ for h in r.request_hooks if h.__name__.startswith("hook_"))}
    print(json.dumps(seen))
""")


def registries(tmp_path, order: str) -> dict:
    (tmp_path / "atk3_b.py").write_text(textwrap.dedent("""
        from bindings import binding, on_request
        @binding("bee")
        def bee(ctx): return "b"
        @on_request
        def hook_b(ctx): return {"b": 1}
    """))
    (tmp_path / "atk3_a.py").write_text(textwrap.dedent("""
        import atk3_b  # a helper that is an extension of its own
        from bindings import binding
        @binding("ay")
        def ay(ctx): return "a"
    """))
    proc = subprocess.run([sys.executable, "-c", SCRIPT, order], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    import json

    return json.loads(proc.stdout)


def test_an_extension_named_after_another_imported_it_keeps_its_bindings_and_hooks(tmp_path):
    seen = registries(tmp_path, "atk3_a,atk3_b")
    assert seen["atk3_b"] == {"bindings": ["bee"], "hooks": ["hook_b"]}


def test_what_a_named_extension_gives_does_not_depend_on_the_order_runtimes_are_built(tmp_path):
    first = registries(tmp_path, "atk3_a,atk3_b")
    second = registries(tmp_path, "atk3_b,atk3_a")
    assert first["atk3_b"] == second["atk3_b"] == {"bindings": ["bee"], "hooks": ["hook_b"]}
    assert "ay" in first["atk3_a"]["bindings"] and "ay" in second["atk3_a"]["bindings"]
