"""require() of npm packages and project files (runtime/render/modules.py with js/modules.js).

tests/sites/pp_require is a project (pb_hooks/pages, pb_hooks/lib, node_modules) whose packages are
hand-written stand-ins: a `main` package with a nested dependency, an `exports` map with conditions,
subpaths and patterns, JSON, a cycle, ES-module-only packages. The last test installs a real package
with npm when it can.
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess

import pytest

from runtime.http.pipeline import PagesRuntime
from runtime.render.engine import RenderError
from runtime.render.modules import ModuleResolver, RequireError
from runtime.render.site import Site, project_folder
from tests.helpers import SITES, start_server, write_site

PROJECT = os.path.join(SITES, "pp_require")


@pytest.fixture(scope="module")
def engine():
    return PagesRuntime(PROJECT).engine


@pytest.fixture(scope="module")
def page(engine):
    text = html.unescape(engine.render_file("index.ejs"))
    return {k: v for k, _, v in (line.partition("=") for line in text.splitlines() if "=" in line)}


def test_main_field_relative_requires_and_the_nearest_node_modules(page):
    # mainpkg's "main" has no extension; its own node_modules/dep wins over the project's
    assert page["main"] == "mainpkg helped dep=mainpkg/node_modules/dep file=../../node_modules/mainpkg/lib/entry.js"
    assert page["same"] == "true"  # one module per request, whoever requires it


def test_exports_conditions_subpaths_and_patterns(page):
    assert page["cond"] == "condpkg:require/node_modules/dep"  # "require" wins; "import" and main ignored
    assert page["feature"] == "feature"  # "browser" is not a condition pagesvm matches; "default" is
    assert page["pattern"] == "1"  # "./data/*": "./data/*.json"
    assert page["fallback"] == "feature"  # an array: the first entry that fits
    assert page["pkgjson"] == "condpkg"
    assert page["str"] == "strpkg"  # "exports": "./main.js"
    assert page["dual"] == "dualpkg:cjs"  # "type": "module" with a "require" entry (.cjs) is fine


def test_scoped_packages_json_files_and_extensions(page):
    assert page["scoped"] == "true/json/json"
    assert page["json"] == "42/2"  # "main": "data.json" is parsed


def test_cycles_see_partial_exports_and_module_exports_replaces_exports(page):
    assert page["cycle"] == "b:a-early/undefined"  # as Node: b sees what a had exported so far
    assert page["late"] == "a-late"
    assert page["replaced"] == "module.exports wins"


def test_pages_look_in_private_first_and_hooks_files_in_node_modules(page):
    assert page["private"] == "_private/dep/private-local"  # PocketPages' rule for pages
    # pb_hooks/lib/util.js: ./more, ../shared.json, ./folder (index.js), and pb_hooks/node_modules/dep
    assert page["util"] == "util more json folder-index dep=pb_hooks/node_modules/dep"
    assert page["utilfile"] == "../lib/util.js dir=../lib"  # relative to the pages root
    assert page["samefile"] == "true/true"  # one file under two names is one module


def test_es_module_only_packages_are_refused_by_name(page):
    assert page["esmonly"].startswith("require: package 'esmonly' is an ES module only")
    assert page["esmtype"] == ("require: package 'esmtype' is an ES module (\"type\": \"module\") and pagesvm's "
                               "require() loads CommonJS only (../../node_modules/esmtype/index.js)")
    assert page["mjspkg"].startswith("require: package 'mjspkg' is an ES module (.mjs)")
    assert page["condesm"].startswith("require: package 'condpkg' is an ES module only")


def test_unexported_missing_and_outside_names(page):
    assert page["unexported"] == "require: 'condpkg/hidden': subpath './hidden' is not exported by package 'condpkg'"
    assert page["badtarget"] == "require: package 'condpkg' exports an invalid target '../dep/index.js'"
    assert page["missing"] == "Cannot find module 'nopkg' from index.ejs"
    assert page["dots"] == "Cannot find module '../../../x' from index.ejs"  # never looked for outside the project
    assert page["absolute"] == "require: '/etc/hostname' is outside the project folder"
    assert page["bare-dots"] == "Cannot find module 'dep/../../../../etc/passwd' from index.ejs"


def test_lookup_goes_up_from_a_deep_page(engine):
    assert engine.render_file("sub/deep/page.ejs").strip() == "mainpkg strpkg more"


def test_packages_compile_once_and_run_once_per_request(engine):
    assert engine.render_file("counter.ejs").strip() == "1,2"
    compiled = engine.units.compiles
    for _ in range(3):
        assert engine.render_file("counter.ejs").strip() == "1,2"  # no state carried between requests
    assert engine.units.compiles == compiled


def test_an_error_in_a_package_is_located_in_its_file(engine):
    with pytest.raises(RenderError) as caught:
        engine.render_file("throws.ejs")
    error = caught.value.error
    assert (error.path, error.line, error.message) == ("../../node_modules/thrower/index.js", 2, "thrown at load")


def test_a_page_that_requires_nothing_never_asks_the_resolver(engine, monkeypatch):
    def refuse(*args):
        raise AssertionError("resolver called")
    monkeypatch.setattr(engine.modules, "find", refuse)
    assert engine.render_file("plain.ejs").strip() == "plain"


def test_served_by_pagesvm_serve(tmp_path):
    server = start_server(PROJECT, "--workers", "1", data_dir=str(tmp_path / "data"))
    try:
        assert server.get("/sub/deep/page").text.strip() == "mainpkg strpkg more"
        assert server.get("/node_modules/dep/index.js").status == 404  # outside the pages root: never served
    finally:
        server.stop()


# -- the resolver on its own: project boundary, symlinks, absolute paths, the working directory -----
def _project(tmp_path, files):
    write_site(tmp_path / "proj", files)
    return str(tmp_path / "proj")


BASE = {
    "pb_hooks/pages/index.ejs": "",
    "pb_hooks/pages/a/page.ejs": "",
    "pb_hooks/lib/x.js": "module.exports = 'x'",
    "pb_hooks/lib/.secret.js": "module.exports = 'secret'",
    "node_modules/pkg/index.js": "",
    "node_modules/.pnpm/linked@1/node_modules/linked/index.js": "module.exports = 'linked'",
    "tools/node_modules/toolpkg/index.js": "",
}


@pytest.fixture
def project(tmp_path):
    root = _project(tmp_path, BASE)
    os.symlink(os.path.join(root, "node_modules/.pnpm/linked@1/node_modules/linked"), os.path.join(root, "node_modules/linked"))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "index.js").write_text("module.exports = 'out'")
    os.symlink(tmp_path / "elsewhere", os.path.join(root, "node_modules/escape"))
    os.symlink(tmp_path / "elsewhere" / "index.js", os.path.join(root, "pb_hooks/lib/out.js"))
    return root


def _resolver(root, cwd=None):
    return ModuleResolver(Site(os.path.join(root, "pb_hooks", "pages")), cwd=cwd or os.path.dirname(root))


def test_the_project_folder_of_a_pages_root(tmp_path, project):
    assert project_folder(os.path.join(project, "pb_hooks", "pages")) == project
    assert project_folder(str(tmp_path)) == str(tmp_path)  # a bare pages root is its own project
    site = Site(os.path.join(project, "pb_hooks", "pages"))
    assert site.source_path("../lib/x.js") == os.path.join(project, "pb_hooks", "lib", "x.js")
    with pytest.raises(PermissionError):
        site.source_path("../../../outside.js")
    with pytest.raises(PermissionError):
        site.source_path("../lib/out.js")  # a symlink out


def test_absolute_paths_inside_the_project(project):
    resolver = _resolver(project)
    hooks = os.path.join(project, "pb_hooks")
    assert resolver.find("a/page.ejs", hooks + "/lib/x.js") == "../lib/x.js"  # `${__hooks}/lib/x.js`
    assert resolver.find("a/page.ejs", hooks + "/lib/x") == "../lib/x.js"
    assert resolver.find("index.ejs", project + "/node_modules/pkg") == "../../node_modules/pkg/index.js"
    with pytest.raises(RequireError, match="outside the project folder"):
        resolver.find("index.ejs", os.path.dirname(project) + "/elsewhere/index.js")


def test_symlinks_out_of_the_project_and_dot_files_are_refused(project):
    resolver = _resolver(project)
    with pytest.raises(RequireError, match="outside the project folder"):
        resolver.find("index.ejs", "escape")
    with pytest.raises(RequireError, match="outside the project folder"):
        resolver.find("index.ejs", "../lib/out")
    with pytest.raises(RequireError, match="dot files"):
        resolver.find("index.ejs", "../lib/.secret")
    # pnpm's layout: a link inside the project into node_modules/.pnpm is fine
    assert resolver.find("index.ejs", "linked") == "../../node_modules/linked/index.js"


def test_node_modules_from_the_working_directory_only_inside_the_project(project):
    assert _resolver(project).find("index.ejs", "toolpkg") is None
    found = _resolver(project, cwd=os.path.join(project, "tools")).find("index.ejs", "toolpkg")
    assert found == "../../tools/node_modules/toolpkg/index.js"  # goja looks from the working directory up


def test_a_page_requires_a_hooks_file_by_absolute_path(tmp_path):
    root = _project(tmp_path, {"pb_hooks/lib/x.js": "module.exports = 'abs:' + require('./y')",
                               "pb_hooks/lib/y.js": "module.exports = 'y'"})
    hooks = os.path.join(root, "pb_hooks")
    write_site(hooks, {"pages/index.ejs": "<%= require(" + repr(hooks + "/lib/x.js") + ") %>"})
    assert PagesRuntime(root).engine.render_file("index.ejs") == "abs:y"


@pytest.mark.parametrize("from_file, name, found", [
    ("a/page.ejs", "./helper", "a/helper.js"),
    ("index.ejs", "./a", "a/index.js"),
    ("index.ejs", "./a/", "a/index.js"),
    ("index.ejs", "./lib", "lib/index.json"),
    ("a/page.ejs", "../lib/data", "lib/data.json"),
    ("a/page.ejs", "util", "a/_private/util.js"),
    ("a/page.ejs", "/util", "_private/util.js"),
    ("a/page.ejs", "../../outside", None),  # a bare pages root is the project: nothing above it
    ("index.ejs", "helper", None),
])
def test_a_bare_pages_root_keeps_the_private_lookup(tmp_path, from_file, name, found):
    root = write_site(tmp_path / "pages", {"index.ejs": "", "a/page.ejs": "", "a/helper.js": "", "a/index.js": "",
                                           "lib/index.json": "{}", "lib/data.json": "[]", "_private/util.js": "",
                                           "a/_private/util.js": ""})
    (tmp_path / "outside.js").write_text("")
    assert ModuleResolver(Site(root), cwd=str(tmp_path)).find(from_file, name) == found


# -- a real package, installed at test time -------------------------------------------------------
def test_a_real_npm_package(tmp_path):
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("npm not found [CI=true: required]")
        pytest.skip("npm not found: install Node.js to run this test")
    root = _project(tmp_path, {"pb_hooks/pages/index.ejs": "<%= require('he').encode('<a & b>') %>|<%= require('he').decode('&eacute;') %>"})
    done = subprocess.run([npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
                           "--ignore-scripts", "he@1.2.0"], cwd=root, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["npm install failed"])[-1]
        pytest.skip("npm could not install he (no network?): " + last)
    # he's UMD wrapper sees CommonJS `module`/`exports`; its hex references are escaped once more by <%=
    assert PagesRuntime(root).engine.render_file("index.ejs") == "&amp;#x3C;a &amp;#x26; b&amp;#x3E;|é"
