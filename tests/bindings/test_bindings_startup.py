"""What happens at startup: duplicates refused, overrides honoured, broken extensions reported,
and +config.js unable to load Python. Real `pagesvm serve` processes."""
import os
import subprocess
import sys

from tests.helpers import ROOT

SITE = "tests/sites/bind_basic"
EXT = "tests/sites/bind_ext.py"


def run_serve(*args, tmp_path, site=SITE):
    cmd = [sys.executable, "-m", "runtime.serve.cli", "serve", site, "--host", "127.0.0.1", "--port", "0",
           "--data", str(tmp_path / "data"), *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=20)


def error_lines(proc):
    return [line for line in proc.stderr.splitlines() if "error" in line.lower()]


def test_name_registered_twice_is_refused_in_one_line_naming_both_modules(tmp_path):
    proc = run_serve("--ext", EXT, "--ext", "tests/sites/bind_dup.py", tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    [line] = error_lines(proc)
    assert "'greet'" in line and "tests/sites/bind_ext.py" in line and "tests/sites/bind_dup.py" in line


def test_redefining_a_builtin_without_override_is_refused(tmp_path):
    proc = run_serve("--ext", "tests/sites/bind_dup_builtin.py", tmp_path=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    [line] = error_lines(proc)
    assert "'redirect'" in line and "bindings.page_api" in line and "bind_dup_builtin.py" in line


def test_override_true_replaces_python_and_javascript_builtins(serve):
    server = serve(SITE, "--ext", EXT, "--ext", "tests/sites/bind_override.py")
    assert server.get("/env").json() == {"env": "overridden HOME_X", "str": "py:a,b"}


def test_extension_failing_on_import_is_one_line_without_traceback(tmp_path):
    proc = run_serve("--ext", "tests/sites/bind_broken.py", tmp_path=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    [line] = error_lines(proc)
    assert "bind_broken.py" in line and "extension exploded" in line


def test_missing_extension_module_is_one_line(tmp_path):
    proc = run_serve("--ext", "no_such_ext_module", tmp_path=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "extension module not found: no_such_ext_module" in proc.stderr


def test_extension_given_as_dotted_module_name_is_imported(serve):
    server = serve(SITE, "--ext", "bind_ext", env={"PYTHONPATH": os.path.join(ROOT, "tests", "sites")})
    assert "Hello Ann" in server.get("/").text


def test_config_js_cannot_load_python(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.ejs").write_text("<%= greet('x') %>")
    for config in ("module.exports = { extensions: ['tests/sites/bind_ext.py'] }",
                   "module.exports = { plugins: ['tests/sites/bind_ext.py'] }"):
        (site / "+config.js").write_text(config)
        proc = run_serve(tmp_path=tmp_path, site=str(site))
        assert proc.returncode != 0, config
        assert "+config.js" in proc.stderr and "Traceback" not in proc.stderr
    (site / "+config.js").write_text("const cp = require('child_process'); module.exports = {}")
    proc = run_serve(tmp_path=tmp_path, site=str(site))
    assert proc.returncode != 0 and "+config.js" in proc.stderr
