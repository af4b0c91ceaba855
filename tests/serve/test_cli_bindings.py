"""`pagesvm bindings [--ext …]`: every binding with its signature, first doc line and module."""
import subprocess
import sys

from tests.helpers import ROOT


def bindings(*args):
    proc = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "bindings", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=20)
    rows = {}
    for line in proc.stdout.splitlines():
        signature, doc, module = line.split("\t")
        rows[signature.split("(")[0]] = (signature, doc, module)
    return proc, rows


def test_lists_extension_bindings_with_signature_doc_and_module():
    proc, rows = bindings("--ext", "tests/sites/bind_ext.py")
    assert proc.returncode == 0
    assert rows["greet"] == ("greet(name)", "Say hello to NAME.", "tests/sites/bind_ext.py")
    assert rows["shop.price"] == ("shop.price(qty, *, currency='EUR')", "Price for QTY items.", "tests/sites/bind_ext.py")


def test_lists_builtins_registered_through_the_same_api():
    proc, rows = bindings()
    assert proc.returncode == 0
    assert rows["redirect"][2] == "bindings.page_api" and rows["redirect"][0].startswith("redirect(path")
    assert rows["formData"][2] == "bindings.page_api"
    assert rows["request"][0] == "request"  # an object, not a function
    assert rows["env"] == ("env(name)", 'Environment variable NAME, or "" when it is not set.', "bindings.env")
    assert "greet" not in rows
    names = list(rows)
    assert names == sorted(names)


def test_duplicate_is_refused_in_one_line():
    proc, _ = bindings("--ext", "tests/sites/bind_ext.py", "--ext", "tests/sites/bind_dup.py")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "'greet'" in proc.stderr


def test_override_is_shown_with_the_replacing_module():
    proc, rows = bindings("--ext", "tests/sites/bind_override.py")
    assert rows["env"][2] == "tests/sites/bind_override.py"
    assert rows["stringify"] == ("stringify(value, *rest)", "stringify, replaced by Python.", "tests/sites/bind_override.py")
