"""What the hook oracles that send mail share: the project copied with a migration sending its mail to an SMTP
sink inside the test, run on the binary and on pagesvm, and the two step lists compared."""
from __future__ import annotations

import os
import shutil
import threading

from tests.api.test_auth_oracle import _Sink
from tests.helpers import project_on_both


def on_both_with_mail(source: str, name: str, run, tmp_path_factory) -> tuple:
    """`run(sink)` (a function of host and port, as project_on_both takes) on a copy of `source` whose settings send
    mail to a sink of this test as `name` (sender `no-reply@<name>.test`): (the binary's steps, pagesvm's)."""
    sink = _Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    project = str(tmp_path_factory.mktemp(name.lower()) / "project")
    shutil.copytree(source, project)
    with open(os.path.join(project, "pb_migrations", "1700000001_smtp.js"), "w", encoding="utf-8") as handle:
        handle.write("migrate((app) => {\n  const s = app.settings();\n"
                     f"  s.smtp.enabled = true; s.smtp.host = '127.0.0.1'; s.smtp.port = {sink.server_address[1]};\n"
                     f"  s.meta.senderName = '{name}'; s.meta.senderAddress = 'no-reply@{name.lower()}.test';\n"
                     f"  s.meta.appName = '{name}'; s.meta.appURL = 'http://{name.lower()}.test';\n  app.save(s);\n}});\n")
    try:
        return project_on_both(project, run(sink), tmp_path_factory)
    finally:
        sink.shutdown()


def same_steps(answers) -> None:
    """Step by step, the binary's first: the first difference is the one reported."""
    theirs, ours = answers
    for index, (one, two) in enumerate(zip(theirs, ours)):
        assert two == one, (index, one)
    assert len(ours) == len(theirs)
