"""Attack: settings values that passed validation and broke the server later. ``--timeout 1e10``
(or ``inf``) made setitimer overflow at the first page, so every page request hung; ``nan`` stopped
the worker with "cannot convert float NaN to integer"; ``--grace nan`` killed the workers at once
on SIGTERM; ``--idle-timeout nan`` was taken as given. From ``page_rules``/``create_app``,
``debug="false"`` (a string read from a config file) turned debug pages on."""
import json
import subprocess
import sys

import pytest

from runtime.http.settings import AppSettings
from runtime.serve import handoff
from runtime.serve.settings import ServerSettings, flag_message
from tests.helpers import ROOT
from tests.serve.test_cli_errors import assert_one_line_error, run_cli


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e10, "5", None])
def test_timeout_must_be_a_finite_number_of_seconds(value):
    with pytest.raises(ValueError) as e:
        AppSettings(timeout=value)
    assert flag_message(e.value).startswith("--timeout must be")


@pytest.mark.parametrize("name", ["grace", "idle_timeout"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e10, "5"])
def test_server_durations_must_be_finite_numbers_of_seconds(name, value):
    with pytest.raises(ValueError) as e:
        ServerSettings(**{name: value})
    assert flag_message(e.value).startswith(f"--{name.replace('_', '-')} must be")


@pytest.mark.parametrize("options", [{"port": "80"}, {"workers": 2.5}, {"max_body": "1"}, {"max_connections": True},
                                     {"proxy_headers": "no"}, {"host": 5}])
def test_server_settings_of_the_wrong_type_are_value_errors(options):
    with pytest.raises(ValueError):
        ServerSettings(**options)


@pytest.mark.parametrize("options", [{"debug": "false"}, {"debug": "0"}, {"data_dir": None}, {"data_dir": 5},
                                     {"prefix": 5}, {"extensions": 5}, {"extensions": [None]}])
def test_app_settings_of_the_wrong_type_are_value_errors(options):
    with pytest.raises(ValueError):
        AppSettings(**options)


def test_app_settings_still_take_what_they_took():
    assert AppSettings(debug=1).debug is True and AppSettings(debug=0).debug is False
    assert AppSettings(timeout=0).timeout == 0.0 and AppSettings(timeout=3).timeout == 3.0
    assert AppSettings(extensions="x.py").extensions == ("x.py",)
    assert ServerSettings(grace=0, idle_timeout=1).grace == 0


@pytest.mark.parametrize("flag, value", [("--timeout", "inf"), ("--timeout", "nan"), ("--timeout", "1e10"),
                                         ("--grace", "nan"), ("--idle-timeout", "nan")])
def test_the_cli_refuses_them_before_any_worker_starts(flag, value, tmp_path):
    assert_one_line_error(run_cli("serve", "--port", "0", "--data", str(tmp_path / "d"), flag, value), flag)


def test_a_worker_refuses_a_hand_off_with_a_bad_value_in_one_line():
    data = json.loads(handoff.WorkerConfig(site="/s", app=AppSettings(), server=ServerSettings()).to_json())
    data["server"]["port"] = "80"
    data["fd"] = "3"
    env = {"PATH": "/usr/bin:/bin", handoff.CONFIG_ENV: json.dumps(data)}
    proc = subprocess.run([sys.executable, "-m", handoff.WORKER_MODULE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("pagesvm: error: ")
