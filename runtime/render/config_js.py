"""``+config.js`` run as PocketPages 0.22 loads it: a CommonJS module that may ``require()``.

PocketPages requires the file at start-up and, when it exports a function, calls it with its global API
(``module.exports = function (api) { return {...} }``); the file and what it requires may load other files
and ``node_modules`` packages. Here the file runs once, at start-up, in a throwaway interpreter (never the
pages' one): ``require()`` resolves as in pages (runtime/render/modules.py: relative and project paths,
``node_modules``, ``package.json`` ``main``/``exports``, JSON files, cycles as Node hands them out, ES modules
refused by name), and the function gets ``env``, ``stringify`` and the log functions (``dbg``, ``info``,
``warn``, ``error``, ``log``, to the server log). What it throws is a ConfigError naming the file and line
it was thrown at (``+config.js: Error: boom (at +config.js:3)``), a file it required included.

Each module's text is evaluated with blank lines in front, so every file owns a distinct range of lines in
QuickJS's stack traces, which are mapped back to the file here.
"""
from __future__ import annotations

import logging
import os
import re

from .modules import ModuleResolver, RequireError
from .site import Site

log = logging.getLogger("pagesvm")
_FRAME = re.compile(r"<input>:(\d+)")

# The loader: `__pvConfig()` answers the export (called with the API when a function) as JSON, plugin
# functions described (config.py refuses them by name), or {error: {name, message, stack}}.
_LOADER = r"""var __pvConfig = (function (G) {
  'use strict';
  const host = G.call_python;
  const indirectEval = G.eval;
  const modules = new Map();  // path -> module, so a cycle gets the exports so far, as in Node
  function requireFrom(from) {
    return function require(name) {
      const found = host('pv_config.find', from, String(name));
      if (found.error !== undefined) throw new Error(found.error);
      const known = modules.get(found.path);
      if (known !== undefined) return known.exports;
      const module = { id: found.path, filename: found.path, exports: {}, loaded: false };
      modules.set(found.path, module);
      if (found.json) {
        try { module.exports = JSON.parse(found.source); } catch (e) { throw new SyntaxError(found.path + ': ' + e.message); }
      } else {
        const body = indirectEval('\n'.repeat(found.base) + '(function (exports, require, module, __filename, __dirname) {' + found.source + '\n})');
        body.call(module.exports, module.exports, requireFrom(found.path), module, found.path, found.dir);
      }
      module.loaded = true;
      return module.exports;
    };
  }
  const say = (level) => (...args) => { host('pv_config.log', level, args.map((a) => (typeof a === 'string' ? a : api.stringify(a))).join(' ')); };
  const api = {
    env(name) { return host('pv_config.env', String(name)); },
    stringify(value) {
      const seen = new WeakSet();
      return JSON.stringify(value, (k, v) => {
        if (v !== null && typeof v === 'object') { if (seen.has(v)) return '[Circular]'; seen.add(v); }
        return v;
      });
    },
    dbg: say('debug'), info: say('info'), warn: say('warning'), error: say('error'), log: say('info'),
  };
  function describe(p) {
    if (typeof p === 'function') return { __js: 'factory', hooks: [] };
    if (p && typeof p === 'object') {
      const hooks = Object.keys(p).filter((k) => typeof p[k] === 'function');
      if (hooks.length) return { __js: 'object', name: typeof p.name === 'string' ? p.name : null, hooks };
    }
    return p;
  }
  return function () {
    try {
      let c = requireFrom('+config.js')('./+config.js');
      if (typeof c === 'function') c = c(api);
      if (c && typeof c === 'object' && Array.isArray(c.plugins)) c = Object.assign({}, c, { plugins: c.plugins.map(describe) });
      return { ok: c === undefined ? null : c };
    } catch (e) {
      const isError = e instanceof Error;
      return { error: { name: isError ? e.name : 'Error', message: isError ? String(e.message) : String(e), stack: isError ? String(e.stack || '') : '' } };
    }
  };
})(globalThis); 0"""


class ConfigFailure(Exception):
    """The file (or one it required) threw: ``text`` says what and where."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class ConfigModules:
    """The files one evaluation of ``+config.js`` loaded, each at its own range of lines."""

    def __init__(self, site: Site):
        self.site = site
        self.resolver = ModuleResolver(site)
        self.loaded: list[tuple[int, int, str]] = []  # (first line, last line, path)
        self.next_base = 0

    def find(self, from_file: str, name: str) -> dict:
        try:
            path = self.resolver.find(from_file, name)
        except RequireError as e:
            return {"error": str(e)}
        if path is None:
            return {"error": f"Cannot find module '{name}' from {from_file}"}
        source = self.site.read_source(path)
        base = self.next_base
        lines = source.count("\n") + 2  # the wrapper's closing line
        self.loaded.append((base + 1, base + lines, path))
        self.next_base = base + lines
        return {"path": path, "dir": os.path.dirname(path), "source": source, "base": base,
                "json": path.endswith(".json")}

    def locate(self, stack: str) -> str | None:
        """``path:line`` of the innermost frame in a loaded file, or None."""
        for match in _FRAME.finditer(stack):
            line = int(match.group(1))
            for first, last, path in self.loaded:
                if first <= line <= last:
                    return f"{path}:{line - first + 1}"
        return None


def evaluate(site: Site) -> object:
    """What ``+config.js`` exports (its function's answer when it exports one), as JSON values;
    ConfigFailure when it throws."""
    from .quickjs import PagesInterpreter

    files = ConfigModules(site)
    interp = PagesInterpreter()
    interp.export_function("pv_config.find", files.find)
    interp.export_function("pv_config.env", lambda name: os.environ.get(name, ""))
    interp.export_function("pv_config.log", lambda level, text: log.log(logging.getLevelName(level.upper()),
                                                                         "+config.js: %s", text))
    interp.eval_script(_LOADER)
    answer = interp.eval_script("__pvConfig()")
    if "error" in answer:
        error = answer["error"]
        where = files.locate(error["stack"])
        raise ConfigFailure(f"{error['name']}: {error['message']}" + (f" (at {where})" if where else ""))
    return answer["ok"]
