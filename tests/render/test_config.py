"""+config.js (runtime/render/config.py): PocketPages' plugin names, options, and clear startup errors."""
import os
import subprocess
import sys

import pytest

from runtime.render.config import ConfigError, load_config
from runtime.render.site import Site, find_pages_root
from tests.helpers import ROOT, SITES, start_server

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order


def site_with(tmp_path, config: str) -> Site:
    (tmp_path / "index.ejs").write_text("<%= typeof keys %>")
    (tmp_path / "+config.js").write_text(config)
    return Site(str(tmp_path))


def test_no_config_means_ejs_only_and_no_debug(tmp_path):
    (tmp_path / "index.ejs").write_text("x")
    config = load_config(Site(str(tmp_path)))
    assert config.plugins == ["ejs"] and config.debug is False
    assert config.page_kinds == {".ejs": "template"}


def test_a_project_config_with_ejs_inside_markdown_is_understood():
    config = load_config(Site(find_pages_root(os.path.join(SITES, "docs_project"))))
    assert config.plugins == ["ejs", "markdown"]
    assert config.ejs_in_markdown and config.debug is False
    assert config.page_kinds == {".ejs": "template", ".md": "markdown"}


@pytest.mark.parametrize("plugins, expected", [
    ("['pocketpages-plugin-ejs', 'pocketpages-plugin-micro-dash', 'pocketpages-plugin-auth']", ["ejs", "micro-dash", "auth"]),
    ("['ejs', 'marked']", ["ejs", "markdown"]),
    ("[{ name: 'pocketpages-plugin-ejs', debug: true }, { name: 'pocketpages-plugin-marked', extensions: ['.md', '.markdown'] }]",
     ["ejs", "markdown"]),
])
def test_plugin_names_and_option_objects(tmp_path, plugins, expected):
    assert load_config(site_with(tmp_path, f"module.exports = {{ plugins: {plugins} }}")).plugins == expected


def test_config_may_be_a_function_and_debug_is_read(tmp_path):
    config = load_config(site_with(tmp_path, "module.exports = () => ({ debug: 'verbose' })"))
    assert config.debug is True


def test_marked_extensions_become_page_kinds(tmp_path):
    config = load_config(site_with(tmp_path, "module.exports = { plugins: ['ejs', { name: 'marked', extensions: ['.markdown'] }] }"))
    assert config.page_kinds == {".ejs": "template", ".markdown": "markdown"}


def test_the_auth_starter_config_is_accepted_with_js_sdk_and_its_options(tmp_path):
    config = load_config(site_with(tmp_path, "module.exports = { plugins: ['pocketpages-plugin-auth', "
                                   "{ name: 'pocketpages-plugin-js-sdk', host: 'http://x', debug: true }, "
                                   "'pocketpages-plugin-ejs'], debug: false }"))
    assert config.plugins == ["auth", "js-sdk", "ejs"]


@pytest.mark.parametrize("source, message", [
    ("module.exports = { plugins: ['pocketpages-plugin-nope'] }", 'unknown plugin "pocketpages-plugin-nope"'),
    ("module.exports = { plugins: ['ejs', { name: 'pocketpages-plugin-datastar', spa: true }] }",
     "unknown option 'spa' for plugin pocketpages-plugin-datastar"),
    ("module.exports = { plugins: ['ejs', { name: 'pocketpages-plugin-js-sdk', port: 1 }] }",
     "unknown option 'port' for plugin pocketpages-plugin-js-sdk"),
    ("module.exports = { plugins: ['ejs', 'pocketpages-plugin-realtimes'] }", 'unknown plugin "pocketpages-plugin-realtimes"'),
    ("module.exports = { plugins: ['ejs', { name: 'mine', onRender: ({ content }) => content, onExtendContextApi() {} }] }",
     "plugin #2 is a JavaScript plugin object with hooks onRender, onExtendContextApi"),
    ("module.exports = { plugins: ['ejs', (config) => ({ name: 'x' })] }", "plugin #2 is a JavaScript plugin factory function"),
    ("module.exports = { plugins: ['ejs', { fn: () => ({}) }] }", "plugin #2 is a JavaScript plugin object with hooks fn"),
    ("module.exports = { plugins: ['marked'] }", "plugins must list pocketpages-plugin-ejs"),
    ("module.exports = { plugins: [{ name: 'ejs', extensions: '.ejs' }] }", "option 'extensions' must be a list"),
    ("module.exports = { plugins: [{ name: 'ejs', colour: 1 }] }", "unknown option 'colour' for plugin ejs"),
    ("module.exports = { plugins: 'ejs' }", "plugins must be a list"),
    ("module.exports = { debug: true, port: 1 }", "invalid config key: port"),
    ("module.exports = 5", "module.exports must be an object"),
    ("module.exports = {", "SyntaxError"),
])
def test_bad_config_is_an_error_naming_the_file(tmp_path, source, message):
    with pytest.raises(ConfigError) as info:
        load_config(site_with(tmp_path, source))
    assert str(info.value).startswith("+config.js: ")
    assert message in str(info.value)


def test_the_realtime_and_datastar_starters_configs_are_accepted(tmp_path):
    config = load_config(site_with(tmp_path, "module.exports = { plugins: ['pocketpages-plugin-ejs', "
                                   "'pocketpages-plugin-datastar', { name: 'pocketpages-plugin-realtime', debug: true }] }"))
    assert config.plugins == ["ejs", "datastar", "realtime"]


def test_server_refuses_to_start_with_an_unknown_plugin(tmp_path):
    site_with(tmp_path, "module.exports = { plugins: ['ejs', 'pocketpages-plugin-dataspar'] }")
    with pytest.raises(RuntimeError) as info:
        start_server(str(tmp_path), *ONE, data_dir=str(tmp_path / "data"), timeout=15)
    assert '+config.js: unknown plugin "pocketpages-plugin-dataspar"' in str(info.value)


def test_routes_command_reports_a_bad_config(tmp_path):
    site_with(tmp_path, "module.exports = { plugins: ['nope'] }")
    out = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "routes", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 2
    assert out.stderr.strip().startswith('pagesvm: error: +config.js: unknown plugin "nope"')


def test_debug_true_in_config_shows_error_details(serve, tmp_path):
    site_with(tmp_path, "module.exports = { debug: true }")
    (tmp_path / "boom.ejs").write_text("<% nope() %>")
    res = serve(str(tmp_path), *ONE).get("/boom")
    assert res.status == 500 and "boom.ejs:1" in res.text
