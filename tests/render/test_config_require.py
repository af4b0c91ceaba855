"""+config.js as PocketPages 0.22 loads it (runtime/render/config_js.py): a function of the global API, files and
node_modules packages required from it, and errors naming the file and line they were thrown at."""
import logging

import pytest

from runtime.render.config import ConfigError, load_config
from runtime.render.site import Site, find_pages_root


def project(tmp_path, config: str, files: dict | None = None) -> Site:
    """A project (pb_hooks/pages with +config.js) and more files, by path relative to the project."""
    pages = tmp_path / "pb_hooks" / "pages"
    pages.mkdir(parents=True)
    (pages / "index.ejs").write_text("x")
    (pages / "+config.js").write_text(config)
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Site(find_pages_root(str(tmp_path)))


def failure(site: Site) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(site)
    return str(info.value)


def test_a_function_of_the_api_that_requires_files_packages_and_json(tmp_path, monkeypatch):
    monkeypatch.setenv("PV_CONFIG_DEBUG", "yes")
    site = project(tmp_path, """
module.exports = function (api) {
  const plugins = require('../lib/plugins');
  const { markdown } = require('picker');
  const flags = require('../lib/flags.json');
  return { plugins: plugins.concat(markdown ? ['marked'] : []), debug: api.env('PV_CONFIG_DEBUG') === 'yes' && flags.debug };
};
""", {
        "pb_hooks/lib/plugins.js": "module.exports = ['pocketpages-plugin-ejs', require('./more').name];",
        "pb_hooks/lib/more.js": "exports.name = 'pocketpages-plugin-micro-dash';",
        "pb_hooks/lib/flags.json": '{"debug": true}',
        "node_modules/picker/package.json": '{"name": "picker", "main": "lib/main.js"}',
        "node_modules/picker/lib/main.js": "module.exports = { markdown: typeof __filename === 'string' && this === module.exports };",
    })
    config = load_config(site)
    assert config.plugins == ["ejs", "micro-dash", "markdown"]
    assert config.debug is True


def test_an_object_export_may_require_too_and_cycles_get_the_exports_so_far(tmp_path):
    site = project(tmp_path, "const a = require('../lib/a'); module.exports = { debug: a.seen };", {
        "pb_hooks/lib/a.js": "exports.partial = true; const b = require('./b'); exports.seen = b.sawPartial;",
        "pb_hooks/lib/b.js": "exports.sawPartial = require('./a').partial === true;",
    })
    assert load_config(site).debug is True


def test_the_api_logs_to_the_server_log(tmp_path, caplog):
    site = project(tmp_path, "module.exports = (api) => { api.info('loading', { n: 1 }); api.warn('careful'); return {}; };")
    with caplog.at_level(logging.INFO, logger="pagesvm"):
        load_config(site)
    assert '+config.js: loading {"n":1}' in caplog.text and "+config.js: careful" in caplog.text


@pytest.mark.parametrize("config, files, message", [
    ("module.exports = function () {\n  const x = 1;\n  throw new Error('boom');\n};", {},
     "+config.js: Error: boom (at +config.js:3)"),
    ("const s = require('../lib/bad');\nmodule.exports = s;", {"pb_hooks/lib/bad.js": "\n\nnope();\n"},
     "+config.js: ReferenceError: nope is not defined (at ../lib/bad.js:3)"),
    ("\nmodule.exports = require('missing-package');", {},
     "+config.js: Error: Cannot find module 'missing-package' from +config.js (at +config.js:2)"),
    ("module.exports = require('esm-only');", {
        "node_modules/esm-only/package.json": '{"name": "esm-only", "type": "module", "main": "index.js"}',
        "node_modules/esm-only/index.js": "export default {};"},
     "+config.js: Error: require: package 'esm-only' is an ES module (\"type\": \"module\")"),
    ("module.exports = require('../lib/broken');", {"pb_hooks/lib/broken.js": "const a = 1;\nlet = = 2;\n"},
     "(at ../lib/broken.js:2)"),
    ("module.exports = require('../lib/data.json');", {"pb_hooks/lib/data.json": "{nope"},
     "+config.js: SyntaxError: ../lib/data.json: "),
])
def test_what_throws_is_named_with_its_file_and_line(tmp_path, config, files, message):
    text = failure(project(tmp_path, config, files))
    assert text.startswith(message) or message in text, text
