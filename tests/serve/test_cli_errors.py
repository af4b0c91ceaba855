"""Mistakes a person makes on the command line: each is one line on stderr naming the
problem, exit status 2, and never a Python traceback."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.helpers import ROOT


def run_cli(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runtime.serve.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("pagesvm"), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def test_unknown_flag_is_named(tmp_path):
    assert_one_line_error(run_cli("serve", "--bogus", "--data", str(tmp_path)), "unrecognized arguments: --bogus")


def test_unknown_command_is_named():
    assert_one_line_error(run_cli("frobnicate"), "invalid choice: 'frobnicate'")


@pytest.mark.parametrize("value, fragment", [("99999", "between 0 and 65535"), ("http", "not a port number")])
def test_bad_port_number_is_refused_before_binding(tmp_path, value, fragment):
    assert_one_line_error(run_cli("serve", "--port", value, "--data", str(tmp_path)), "--port", fragment)


def test_missing_site_folder(tmp_path):
    missing = tmp_path / "no-such-site"
    assert_one_line_error(run_cli("serve", str(missing), "--port", "0", "--data", str(tmp_path / "d")),
                          "site folder not found", str(missing))


def test_folder_without_pages(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("no templates here")
    assert_one_line_error(run_cli("serve", str(site), "--port", "0", "--data", str(tmp_path / "d")),
                          "no pages (.ejs or .md files)", str(site))


def test_routes_command_reports_missing_folder_the_same_way(tmp_path):
    assert_one_line_error(run_cli("routes", str(tmp_path / "nope")), "site folder not found")


def test_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(tmp_path))
    assert_one_line_error(result, f"cannot listen on 127.0.0.1:{port}", "Address already in use")


def test_data_dir_under_a_regular_file(tmp_path):
    # Root ignores permission bits, so a path through a regular file is the unusable folder.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_line_error(run_cli("serve", "--port", "0", "--data", str(blocker / "data")),
                          "cannot create data folder", str(blocker / "data"), "Not a directory")


def test_data_dir_that_is_a_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_line_error(run_cli("serve", "--port", "0", "--data", str(blocker)),
                          f"data folder {blocker} is a file")


def test_max_fields_below_one_is_refused(tmp_path):
    assert_one_line_error(run_cli("serve", "--max-fields", "0", "--data", str(tmp_path)), "--max-fields must be at least 1")


def test_refused_config_stops_serve_before_any_worker_starts(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.ejs").write_text("hi")
    (site / "+config.js").write_text("module.exports = { nonsense: 1 };\n")
    result = run_cli("serve", str(site), "--port", "0", "--workers", "2", "--data", str(tmp_path / "d"))
    assert_one_line_error(result, "+config.js", "invalid config key: nonsense")  # no worker log lines at all


@pytest.mark.parametrize("value, fragment", [("2", "at least 1 minute"), ("59s", "at least 1 minute"),
                                             ("401d", "at most 400 days"), ("soon", "not a duration")])
def test_auth_ttl_refusal_names_the_rule(tmp_path, value, fragment):
    line = assert_one_line_error(run_cli("serve", "--auth-ttl", value, "--data", str(tmp_path)), "--auth-ttl", fragment)
    assert "invalid duration value" not in line
