"""The worker's configuration crosses processes typed: written from WorkerConfig, rebuilt through
it (a missing or unknown key is an error), and ServerSettings validate as the flags do."""
import json
import os
import subprocess
import sys

import pytest

from runtime.http.settings import AppSettings
from runtime.serve import handoff
from runtime.serve.settings import ServerSettings, flag_message
from tests.helpers import ROOT


def config():
    return handoff.WorkerConfig(site="/srv/site", app=AppSettings(data_dir="/d", extensions=("x.py",)),
                                server=ServerSettings(workers=2, grace=1.5)).for_slot(1, 5, 6, 99)


def test_round_trip_through_the_environment(monkeypatch):
    sent = config()
    env = handoff.worker_env(sent)
    monkeypatch.setenv(handoff.CONFIG_ENV, env[handoff.CONFIG_ENV])
    got = handoff.take_config()
    assert got == sent and isinstance(got.app, AppSettings) and isinstance(got.server, ServerSettings)
    assert got.app.extensions == ("x.py",) and got.server.grace == 1.5 and got.slot == 1
    assert handoff.CONFIG_ENV not in os.environ


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("slot"), r"WorkerConfig: missing \['slot'\]"),
    (lambda d: d.update(extra=1), r"WorkerConfig: missing \[\], unknown \['extra'\]"),
    (lambda d: d["server"].pop("grace"), r"ServerSettings: missing \['grace'\]"),
    (lambda d: d["app"].update(max_feilds=3), r"AppSettings: missing \[\], unknown \['max_feilds'\]"),
])
def test_missing_or_unknown_keys_are_errors(change, message):
    data = json.loads(config().to_json())
    change(data)
    with pytest.raises(ValueError, match=message):
        handoff.WorkerConfig.from_json(json.dumps(data))


def test_a_worker_given_a_bad_configuration_stops_with_an_error():
    env = {"PATH": "/usr/bin:/bin", handoff.CONFIG_ENV: json.dumps({"site": "x"})}
    proc = subprocess.run([sys.executable, "-m", handoff.WORKER_MODULE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode != 0 and "WorkerConfig: missing" in proc.stderr


@pytest.mark.parametrize("options, line", [
    ({"workers": 0}, "--workers must be at least 1"),
    ({"port": 70000}, "--port must be between 0 and 65535, got 70000"),
    ({"grace": -1}, "--grace must be 0 or more seconds"),
    ({"idle_timeout": 0}, "--idle-timeout must be more than 0 seconds"),
])
def test_server_settings_are_checked_and_worded_with_the_flag(options, line):
    with pytest.raises(ValueError) as e:
        ServerSettings(**options)
    assert flag_message(e.value) == line


def test_app_settings_errors_are_worded_with_the_flag_too():
    with pytest.raises(ValueError) as e:
        AppSettings(max_fields=0)
    assert flag_message(e.value) == "--max-fields must be at least 1"
