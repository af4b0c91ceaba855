"""A worker loads only what serving its site needs: the heavy libraries behind features a site may never use
(`cryptography` through PyJWT, the SMTP client, OAuth2's id_token checks, urllib3) load on
first use, not with every worker (issue 19: they were ~9 MiB of each worker's memory); so do the Go template
engine behind `$template` and the system's MIME tables (~1 MiB more), which a page of a site that uses them
still gets. The worker's
`sys.modules` is read, after start-up and after it served a page, through a `sitecustomize` that only this
test puts on the path."""
import os
import signal
import textwrap

from tests.helpers import request, start_server, wait_for, write_site

NOT_AT_START = ("cryptography", "jwt", "smtplib",
                "urllib3",  # $http.send's and OAuth2's connection pools, made on the first exchange
                "dukpy.install", "tarfile",  # dukpy/__init__'s installer: render/quickjs.py loads the extension alone
                "bindings.gotemplate",  # `$template`'s engine (bindings/template.py imports it on the first render)
                "(mimetypes-tables-read)")  # by the first file served (render/router.py guess_type)

SITECUSTOMIZE = """
import os, signal, sys
if os.environ.get("PAGESVM_WORKER"):
    folder = os.environ["PAGESVM_TEST_MODULES"]
    def _dump(*args):
        names = sorted(sys.modules)
        if getattr(sys.modules.get("mimetypes"), "inited", False):
            names.append("(mimetypes-tables-read)")
        with open(os.path.join(folder, "modules.tmp"), "w") as f:
            f.write("\\n".join(names))
        os.replace(os.path.join(folder, "modules.tmp"), os.path.join(folder, "modules"))
    signal.signal(signal.SIGUSR1, _dump)
    with open(os.path.join(folder, "pid"), "w") as f:
        f.write(str(os.getpid()))
"""


def _modules(folder) -> set:
    listing = os.path.join(folder, "modules")
    if os.path.exists(listing):
        os.remove(listing)
    with open(os.path.join(folder, "pid")) as f:
        os.kill(int(f.read()), signal.SIGUSR1)
    wait_for(lambda: os.path.exists(listing))
    with open(listing) as f:
        return set(f.read().split())


def _loaded(modules: set) -> list:
    return sorted(name for name in NOT_AT_START if name in modules)


def test_a_worker_leaves_unused_heavy_libraries_unloaded(tmp_path):
    site = write_site(tmp_path / "site", {"index.ejs": "<p><%= 1 + 1 %></p>",
                                          "+layout.ejs": "<html><%- slot %></html>",
                                          "go.ejs": "<%- $template.loadString('<b>{{.}}</b>').render('a<b') %>",
                                          "logo.svg": "<svg/>"})
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    path = os.pathsep.join(p for p in (str(probe), os.environ.get("PYTHONPATH", "")) if p)
    server = start_server(site, "--workers", "1", data_dir=str(tmp_path / "data"),
                          env={"PYTHONPATH": path, "PAGESVM_TEST_MODULES": str(probe)})
    try:
        wait_for(lambda: (probe / "pid").exists())
        assert _loaded(_modules(str(probe))) == []
        assert request(server.host, server.port, "GET", "/").status == 200
        assert _loaded(_modules(str(probe))) == []
        # What a page then uses is loaded as it is first used, and answers as it did when loaded up front.
        page = request(server.host, server.port, "GET", "/go")
        assert (page.status, page.text) == (200, "<html><b>a&lt;b</b></html>")
        assert _loaded(_modules(str(probe))) == ["bindings.gotemplate"]
        logo = request(server.host, server.port, "GET", "/logo.svg")
        assert (logo.status, logo.header("Content-Type")) == (200, "image/svg+xml; charset=utf-8")
        assert _loaded(_modules(str(probe))) == ["(mimetypes-tables-read)", "bindings.gotemplate"]
    finally:
        server.stop()
