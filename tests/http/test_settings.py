"""AppSettings: every default written once (the CLI, create_app and the runtime read them from
it), options mapped onto it with the flags' aliases, and validation in one place."""
import pytest

from runtime.http import build
from runtime.http.settings import AppSettings
from runtime.serve.cli import build_parser


def test_cli_flags_take_their_defaults_from_the_settings():
    args = build_parser().parse_args(["serve"])
    app = AppSettings()
    assert (args.data, args.dev, args.max_output, args.max_fields, args.timeout, args.auth_ttl) == (
        app.data_dir, app.debug, app.max_output, app.max_fields, app.timeout, app.auth_ttl)
    assert build.DEFAULTS["data_dir"] == app.data_dir and build.DEFAULTS["max_fields"] == app.max_fields


def test_help_text_still_shows_the_defaults():
    text = " ".join(build_parser()._subparsers._group_actions[0].choices["serve"].format_help().split())
    for shown in ("(default ./pagesvm_data)", "(default 7d)", "(default 16 MiB)", "(default 10 MiB)", "(default 1000)",
                  "(default 8090)", "(default 30)"):
        assert shown in text, shown


def test_options_map_onto_the_settings_with_the_flags_aliases():
    s = AppSettings.of(dev=True, data="d", ext=["a.py"], extensions=["b"], prefix="shop/", max_fields=5)
    assert (s.debug, s.data_dir, s.prefix, s.max_fields) == (True, "d", "/shop", 5)
    assert sorted(s.extensions) == ["a.py", "b"]
    assert AppSettings.of(prefix="/").prefix == ""


def test_an_unknown_option_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match=r"unknown pagesvm option 'debgu' \(known: .*data_dir.*dev"):
        AppSettings.of(debgu=True)


@pytest.mark.parametrize("options, message", [
    ({"max_fields": 0}, "max_fields must be at least 1"),
    ({"max_output": 0}, "max_output must be at least 1"),
    ({"max_output": "big"}, "max_output must be an integer"),
    ({"timeout": -1}, "timeout must be 0 or more"),
    ({"auth_ttl": 30}, "auth_ttl must be at least 1 minute"),
    ({"auth_ttl": 401 * 86400}, "auth_ttl must be at most 400 days"),
])
def test_invalid_values_are_refused_when_the_settings_are_made(options, message):
    with pytest.raises(ValueError, match=message):
        AppSettings(**options)


def test_settings_are_frozen_and_round_trip_through_json_exactly():
    s = AppSettings(data_dir="/x", debug=True, extensions=("e.py",), timeout=2)
    with pytest.raises(AttributeError):
        s.debug = False
    assert AppSettings.from_json(s.to_json()) == s
    with pytest.raises(ValueError, match=r"missing \['timeout'\]"):
        AppSettings.from_json({k: v for k, v in s.to_json().items() if k != "timeout"})
    with pytest.raises(ValueError, match=r"unknown \['colour'\]"):
        AppSettings.from_json({**s.to_json(), "colour": "red"})
