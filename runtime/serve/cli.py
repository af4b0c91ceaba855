"""The ``pagesvm`` command line: serve, routes, bindings, users, superuser.

Every error a person can cause (a missing folder, a busy port, a bad flag) is one line
on stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys

from ..http.settings import AppSettings
from . import cli_cron, cli_migrate, cli_superuser, cli_users
from .handoff import WorkerConfig
from .settings import ServerSettings, flag_message

EXIT_USAGE = 2
APP, SERVER = AppSettings(), ServerSettings()  # where every flag's default comes from


class CliError(Exception):
    """A problem the user can fix; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + error
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", nargs="?", default=None,
                   help="pages root, or a project folder containing pb_hooks/pages (default: the bundled site)")


def duration(text: str) -> int:
    """argparse type for --auth-ttl: the refusal names the rule broken (argparse would only say
    "invalid duration value" for a plain ValueError)."""
    from bindings import tokens

    try:
        return tokens.duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def port(text: str) -> int:
    """A TCP port, 0-65535 (0 = any free port); the OS would otherwise wrap larger numbers."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {value}")
    return value


def build_parser() -> Parser:
    parser = Parser(prog="pagesvm", description="Serve PocketPages sites from Python.")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    sub.required = True

    serve = sub.add_parser("serve", help="serve a site over HTTP", description="Serve a PocketPages site over HTTP.")
    _site_args(serve)
    serve.add_argument("--host", default=SERVER.host, help=f"address to listen on (default {SERVER.host})")
    serve.add_argument("--port", type=port, default=SERVER.port, help=f"port to listen on (default {SERVER.port})")
    serve.add_argument("--data", default=cli_migrate.DefaultData(APP.data_dir), metavar="DIR",
                       help=f"data folder; PROJECT/pb_data when serving a project folder (one with pb_hooks/ or "
                            f"pb_migrations/) (default ./{APP.data_dir})")
    serve.add_argument("--dev", action="store_true", help="debug mode: error details in pages, routes rebuilt on change")
    serve.add_argument("--ext", action="append", default=[], metavar="MODULE_OR_FILE",
                       help="load a Python extension module or .py file (repeatable)")
    serve.add_argument("--auth-ttl", type=duration, default=APP.auth_ttl, metavar="DURATION",
                       help="the longest a sign-in lasts (caps the auth collection's authToken duration): "
                            f"seconds, or 90m, 12h, 7d (default {_days(APP.auth_ttl)})")
    serve.add_argument("--allow-exec", action="store_true",
                       help="let page and hook code run programs with $os.cmd()/$os.exec() (refused otherwise)")
    serve.add_argument("--no-api", dest="api", action="store_false",
                       help="do not serve PocketBase's REST API under /api/ (served by default, as PocketBase does)")
    serve.add_argument("--no-index-fallback", dest="index_fallback", action="store_false",
                       help="answer a GET that nothing serves with the 404, not PROJECT/pb_public/index.html "
                            "(PocketBase's --indexFallback=false)")
    serve.add_argument("--max-output", type=int, default=APP.max_output, metavar="BYTES",
                       help=f"largest response body a page may produce (default {_mib(APP.max_output)})")
    _limit_args(serve)

    routes = sub.add_parser("routes", help="print the route table", description="Print the route table (pattern → file).")
    _site_args(routes)

    bindings = sub.add_parser("bindings", help="list Python bindings pages can call",
                              description="List every binding: name, signature, first doc line, module.")
    bindings.add_argument("--ext", action="append", default=[], metavar="MODULE_OR_FILE",
                          help="load a Python extension module or .py file (repeatable)")

    cli_users.register(sub)
    cli_superuser.register(sub)
    cli_migrate.register(sub)
    cli_cron.register(sub)
    return parser


def _limit_args(serve: argparse.ArgumentParser) -> None:
    """Workers and per-request limits (see runtime/serve/supervisor.py and runtime/limits.py)."""
    limits = (  # flag, type, default, metavar, help (the default is appended)
        ("--workers", int, SERVER.workers, "N", "worker processes, each with its own interpreter"),
        ("--timeout", float, APP.timeout, "S", "longest a request may run (middleware, loaders, page, layouts) "
                                               "before a 504"),
        ("--grace", float, SERVER.grace, "S", "on SIGTERM, how long in-flight requests may take to finish"),
        ("--max-body", int, SERVER.max_body, "BYTES", "largest request body; larger gets 413 before it is read"),
        ("--max-fields", int, APP.max_fields, "N", "most fields in a form body (parts, if multipart) or a query "
                                                   "string; more get 413 (400 in a query string)"),
        ("--max-connections", int, SERVER.max_connections, "N", "open connections per worker; more are answered 503"),
        ("--max-sse", int, SERVER.max_sse, "N", "open realtime (SSE) streams per worker, apart from "
                                                "--max-connections; more are answered 503"),
        ("--idle-timeout", float, SERVER.idle_timeout, "S", "how long a client may take to send a request, idle "
                                                            "between requests, or go without taking any of its answer"),
        cli_migrate.TIMEOUT_FLAG,
    )
    for flag, kind, default, metavar, text in limits:
        shown = "CPU count" if flag == "--workers" else _mib(default) if metavar == "BYTES" else f"{default:g}"
        serve.add_argument(flag, type=kind, default=default, metavar=metavar, help=f"{text} (default {shown})")
    serve.add_argument("--proxy-headers", action="store_true",
                       help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips (client IP, HTTPS cookies)")
    serve.add_argument("--forwarded-allow-ips", default=SERVER.forwarded_allow_ips, metavar="IPS",
                       help=f"comma-separated proxy addresses or networks, or * (default {SERVER.forwarded_allow_ips})")


def _mib(size: int) -> str:
    """16 MiB rather than 16777216 in the help text."""
    return f"{size // (1024 * 1024)} MiB" if size % (1024 * 1024) == 0 else str(size)


def _days(seconds: int) -> str:
    return f"{seconds // 86400}d" if seconds % 86400 == 0 else str(seconds)


def _settings(args, root: str, data_dir: str) -> WorkerConfig:
    """The flags as the typed settings a worker is started with; a refused value names its flag."""
    try:
        app = AppSettings(data_dir=data_dir, debug=args.dev, extensions=tuple(args.ext), max_output=args.max_output,
                          max_fields=args.max_fields, timeout=args.timeout, auth_ttl=args.auth_ttl,
                          allow_exec=args.allow_exec, api=args.api, index_fallback=args.index_fallback)
        server = ServerSettings(host=args.host, port=args.port, workers=args.workers, grace=args.grace,
                                max_body=args.max_body, max_connections=args.max_connections, max_sse=args.max_sse,
                                idle_timeout=args.idle_timeout, proxy_headers=args.proxy_headers,
                                forwarded_allow_ips=args.forwarded_allow_ips,
                                migration_timeout=args.migration_timeout)
    except ValueError as e:
        raise CliError(flag_message(e)) from None
    return WorkerConfig(site=root, app=app, server=server)


def _site_folder(site: str | None) -> str:
    from ..http.build import PACKAGE_PAGES
    from ..render.site import SiteError, find_pages_root

    try:
        root = find_pages_root(site or PACKAGE_PAGES)
    except SiteError as e:
        raise CliError(str(e)) from None
    from ..hooks import find_hooks_dir, hook_files

    has_pages = any(f.endswith((".ejs", ".md")) for _, _, files in os.walk(root) for f in files)
    if not has_pages and not hook_files(find_hooks_dir(root)):
        raise CliError(f"no pages (.ejs or .md files) in {root}")
    return root


def _prepare_data_dir(path: str) -> str:
    path = os.path.abspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise CliError(f"data folder {path} is a file; pass --data a folder")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as e:
        raise CliError(f"cannot create data folder {path}: {e.strerror}") from None
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise CliError(f"data folder {path} is not readable and writable")
    return path


def cmd_serve(args) -> int:
    """Bind, then run the workers under the supervisor; the app itself is built in each worker."""
    from .supervisor import check_site_config, supervise

    root = _site_folder(args.site)
    data_dir = _prepare_data_dir(cli_migrate.data_dir_for(args.site, args.data))
    config = _settings(args, root, data_dir)
    refused = check_site_config(root)  # before extensions load: the check forks, best with no threads yet
    if refused:
        raise CliError(refused)
    cli_users.upgrade_at_start(data_dir)  # an older pagesvm's users store, upgraded once before the workers
    failed, store = cli_migrate.start_up(args.site, data_dir, config.server.migration_timeout)  # once, before any worker
    if failed:
        raise CliError(failed)
    config = dataclasses.replace(config, store=store)  # what the migrations' hooks left in app.store()
    _load_bindings(args.ext)  # a clash or a broken extension stops here, once, before any worker starts
    try:
        return supervise(config)
    except OSError as e:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from None


def cmd_routes(args) -> int:
    from ..render.config import ConfigError, load_config
    from ..render.router import Router
    from ..render.site import Site

    site = Site(_site_folder(args.site))
    try:
        kinds = load_config(site).page_kinds
    except ConfigError as e:
        raise CliError(str(e)) from None
    from ..hooks import HookLoadError, shown
    from .supervisor import learn_hooks

    try:  # hook routes first: they win over the pages
        rows = [(f"{r.method} {r.path}", "hook", shown(r.file)) for r in learn_hooks(site.root) if r.kind == "route"]
    except HookLoadError as e:
        raise CliError(str(e)) from None
    rows += Router(site, kinds).table()
    width = max((len(p) for p, _, _ in rows), default=0)
    for pattern, kind, file in rows:
        print(f"{pattern.ljust(width)}  {kind:<8}  {file}")
    return 0


def _load_bindings(extensions):
    """The registry a worker builds: built-in families first (so an extension may override one),
    then the extensions."""
    from bindings.registry import DuplicateBinding

    from ..http.extensions import ExtensionError, registry_for

    try:
        return registry_for(extensions)
    except (DuplicateBinding, ExtensionError, ValueError) as e:
        raise CliError(str(e)) from None


def cmd_bindings(args) -> int:
    for row in _load_bindings(args.ext).describe():
        print(f"{row['signature']}\t{row['doc']}\t{row['module']}")
    return 0


def _migrate(args) -> int:
    from runtime.data.migrations import MigrationError

    try:
        return cli_migrate.run(args)
    except (MigrationError, ValueError, OSError) as e:
        raise CliError(str(e)) from None


def cmd_cron(args) -> int:
    from ..hooks import HookLoadError

    try:
        return cli_cron.run(args, _site_folder)
    except HookLoadError as e:
        raise CliError(str(e)) from None


COMMANDS = {"serve": cmd_serve, "routes": cmd_routes, "bindings": cmd_bindings, "cron": cmd_cron}


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "users":
            return cli_users.run(args)
        if args.command == "superuser":
            return cli_superuser.run(args)
        if args.command == "migrate":
            return _migrate(args)
        return COMMANDS[args.command](args)
    except CliError as e:
        print(f"pagesvm: error: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
