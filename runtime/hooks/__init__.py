"""A project's ``pb_hooks/*.pb.js`` files: which there are, what each registers, and its routes.

Layer: below ``runtime.http`` (which serves the routes) and above ``runtime.render`` (whose one page
interpreter runs the files). A file is evaluated once per worker at start-up to learn what it registers
(``learn.py``); a request that needs one of its handlers runs the file's compiled code afresh and takes
the closure registered at the same index (``js/hooks.js``), so a handler sees its file's top-level
names and nothing one request leaves reaches the next.
"""
from .discovery import HOOK_UNIT_PREFIX, find_hooks_dir, hook_files, is_pocketpages_loader, pages_loader, shown
from .learn import JS_FILES, HookLoadError, learn
from .table import Registration, RouteMatch, RouteTable

__all__ = ["HOOK_UNIT_PREFIX", "JS_FILES", "HookLoadError", "Registration", "RouteMatch", "RouteTable",
           "find_hooks_dir", "hook_files", "is_pocketpages_loader", "learn", "pages_loader",
           "shown"]
