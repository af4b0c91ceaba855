"""``+config.js`` at the pages root: ``debug`` and ``plugins`` (PocketPages' names).

Evaluated once at startup in a throwaway interpreter. An unknown key or plugin is a
startup error naming the file, never a silent skip.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from dukpy import _dukpy

from .site import Site

KNOWN_PLUGINS = {
    "pocketpages-plugin-ejs": "ejs", "ejs": "ejs",
    "pocketpages-plugin-marked": "markdown", "marked": "markdown", "markdown": "markdown",
    "pocketpages-plugin-micro-dash": "micro-dash", "micro-dash": "micro-dash",
    "pocketpages-plugin-auth": "auth", "auth": "auth",
}
CONFIG_FILE = "+config.js"


class ConfigError(Exception):
    pass


@dataclass
class SiteConfig:
    debug: bool = False
    plugins: list[str] = field(default_factory=lambda: ["ejs"])
    ejs_extensions: tuple[str, ...] = (".ejs",)

    @property
    def ejs_in_markdown(self) -> bool:
        return ".md" in self.ejs_extensions


def _evaluate(source: str) -> object:
    from .engine import PagesInterpreter

    interp = PagesInterpreter()
    code = ("(function(){var module={exports:{}},exports=module.exports;" + source +
            "\n;var c=module.exports;if(typeof c==='function')c=c({});return JSON.stringify(c===undefined?null:c)})()")
    return json.loads(interp.eval_script(code))


def load_config(site: Site) -> SiteConfig:
    if not site.is_file(CONFIG_FILE):
        return SiteConfig()
    try:
        raw = _evaluate(site.read_text(CONFIG_FILE))
    except Exception as e:  # noqa: BLE001 - any JS error in the config file
        raise ConfigError(f"{CONFIG_FILE}: {str(e).splitlines()[0]}") from None
    if raw is None:
        return SiteConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_FILE}: module.exports must be an object")
    unknown = set(raw) - {"debug", "plugins"}
    if unknown:
        raise ConfigError(f"{CONFIG_FILE}: invalid config key: {sorted(unknown)[0]}")
    config = SiteConfig(debug=bool(raw.get("debug")))
    if "plugins" in raw:
        config.plugins = []
        for item in raw["plugins"] or []:
            name, options = (item, {}) if isinstance(item, str) else (item.get("name"), item) if isinstance(item, dict) else (None, {})
            plugin = KNOWN_PLUGINS.get(name)
            if plugin is None:
                raise ConfigError(f"{CONFIG_FILE}: unknown plugin {json.dumps(name)} (pagesvm knows: ejs, marked, micro-dash, auth)")
            config.plugins.append(plugin)
            if plugin == "ejs" and options.get("extensions"):
                config.ejs_extensions = tuple(options["extensions"])
    return config
