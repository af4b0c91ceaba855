"""``+config.js`` at the pages root: ``debug`` and ``plugins`` (PocketPages' names).

Evaluated once at startup in a throwaway interpreter (config_js.py: an object, or a function of the global
API, and it may ``require()``). An unknown key or plugin, or a
plugin pagesvm cannot run (JavaScript plugin objects), is a
startup error naming the file, never a silent skip.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .config_js import ConfigFailure, evaluate
from .site import Site

KNOWN_PLUGINS = {
    "pocketpages-plugin-ejs": "ejs", "ejs": "ejs",
    "pocketpages-plugin-marked": "markdown", "marked": "markdown", "markdown": "markdown",
    "pocketpages-plugin-micro-dash": "micro-dash", "micro-dash": "micro-dash",
    "pocketpages-plugin-auth": "auth", "auth": "auth",
    "pocketpages-plugin-js-sdk": "js-sdk", "js-sdk": "js-sdk",
    "pocketpages-plugin-realtime": "realtime", "realtime": "realtime",
    "pocketpages-plugin-datastar": "datastar", "datastar": "datastar",
}
# Official plugins that cannot work here (none now); kept as the place to refuse one with a reason.
UNSUPPORTED_PLUGINS: dict[str, str] = {}
PLUGIN_OPTIONS = {"ejs": {"extensions", "debug"}, "markdown": {"extensions"}, "micro-dash": set(), "auth": set(),
                  "js-sdk": {"host", "debug"}, "realtime": {"debug"}, "datastar": {"debug"}}
CONFIG_FILE = "+config.js"

class ConfigError(Exception):
    pass


@dataclass
class SiteConfig:
    debug: bool = False
    plugins: list[str] = field(default_factory=lambda: ["ejs"])
    ejs_extensions: tuple[str, ...] = (".ejs",)
    markdown_extensions: tuple[str, ...] = (".md",)

    @property
    def ejs_in_markdown(self) -> bool:
        return ".md" in self.ejs_extensions

    @property
    def page_kinds(self) -> dict[str, str]:
        """Extension → page kind, as PocketPages' plugins would claim the files."""
        kinds = {ext: "template" for ext in self.ejs_extensions}
        if "markdown" in self.plugins:
            kinds.update({ext: "markdown" for ext in self.markdown_extensions})
        return kinds


def _fail(message: str) -> ConfigError:
    return ConfigError(f"{CONFIG_FILE}: {message}")


def _extensions(value, plugin: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(e, str) and e.startswith(".") for e in value):
        raise _fail(f"{plugin} option 'extensions' must be a list like ['.ejs', '.md']")
    return tuple(value)


def _plugin(config: SiteConfig, number: int, item) -> None:
    if isinstance(item, dict) and item.get("__js"):
        what = "factory function" if item["__js"] == "factory" else f"object with hooks {', '.join(item['hooks'])}"
        raise _fail(f"plugin #{number} is a JavaScript plugin {what}; pagesvm does not run JavaScript plugins "
                    "(add Python bindings with --ext instead)")
    name, options = (item, {}) if isinstance(item, str) else (item.get("name"), item) if isinstance(item, dict) else (None, {})
    if name in UNSUPPORTED_PLUGINS:
        raise _fail(f"plugin {name} is not supported: {UNSUPPORTED_PLUGINS[name]}")
    plugin = KNOWN_PLUGINS.get(name)
    if plugin is None:
        raise _fail(f"unknown plugin {json.dumps(name)} (pagesvm knows: ejs, marked, micro-dash, auth, js-sdk, realtime, datastar)")
    unknown = set(options) - {"name"} - PLUGIN_OPTIONS[plugin]
    if unknown:
        raise _fail(f"unknown option {sorted(unknown)[0]!r} for plugin {name}")
    config.plugins.append(plugin)
    if plugin == "ejs" and "extensions" in options:
        config.ejs_extensions = _extensions(options["extensions"], name)
    if plugin == "markdown" and "extensions" in options:
        config.markdown_extensions = _extensions(options["extensions"], name)


def load_config(site: Site) -> SiteConfig:
    if not site.is_file(CONFIG_FILE):
        return SiteConfig()
    try:
        raw = evaluate(site)
    except ConfigFailure as e:  # what the file (or one it required) threw, with where
        raise _fail(e.text) from None
    except Exception as e:  # noqa: BLE001 - any other failure of the interpreter
        raise _fail(str(e).splitlines()[0]) from None
    if raw is None:
        return SiteConfig()
    if not isinstance(raw, dict):
        raise _fail("module.exports must be an object")
    unknown = set(raw) - {"debug", "plugins"}
    if unknown:
        raise _fail(f"invalid config key: {sorted(unknown)[0]}")
    config = SiteConfig(debug=bool(raw.get("debug")))
    if "plugins" in raw:
        if not isinstance(raw["plugins"], list):
            raise _fail("plugins must be a list")
        config.plugins = []
        for number, item in enumerate(raw["plugins"], 1):
            _plugin(config, number, item)
        if "ejs" not in config.plugins:
            raise _fail("plugins must list pocketpages-plugin-ejs (without it PocketPages serves .ejs files as text)")
    return config
