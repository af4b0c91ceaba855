"""``pagesvm cron list [PROJECT]``: the cronAdd jobs a project's hook files end with (after replacements
and ``cronRemove``), as ``id  expression  file`` lines, as `pagesvm serve` will schedule them."""
from __future__ import annotations

import argparse


def register(subparsers) -> argparse.ArgumentParser:
    cron = subparsers.add_parser("cron", help="list the cronAdd jobs of pb_hooks/*.pb.js",
                                 description="The cron jobs of a project's pb_hooks/*.pb.js files.")
    cmds = cron.add_subparsers(dest="cron_command", metavar="COMMAND")
    cmds.required = True
    listing = cmds.add_parser("list", help="print each job: id, expression, file")
    listing.add_argument("project", nargs="?", default=".", help="project folder holding pb_hooks/ (default .)")
    return cron


def run(args, site_folder) -> int:
    """Print the jobs of ``args.project`` (``site_folder(path)`` finds its pages root, or raises the CLI's
    error); ValueError/HookLoadError for a file that fails to load."""
    from ..hooks import shown
    from ..hooks.cron import cron_jobs
    from .supervisor import learn_hooks

    rows = [(job.id, job.expr, shown(job.file)) for job in cron_jobs(learn_hooks(site_folder(args.project)))]
    widths = [max((len(row[i]) for row in rows), default=0) for i in (0, 1)]
    for job_id, expr, file in rows:
        print(f"{job_id.ljust(widths[0])}  {expr.ljust(widths[1])}  {file}")
    return 0
