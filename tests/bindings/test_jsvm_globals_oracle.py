"""The JSVM globals ($security, $filepath, $os, toString, toBytes) in a page against the real PocketBase: one
piece of JavaScript runs in a `routerAdd` handler on the binary and in a page on `pagesvm serve`; what each
prints must be the same. Values only one side can make (a random string, a token, a ciphertext) are compared by
shape, then exchanged: a token or ciphertext made by one side must be read by the other."""
import json
import os

import pytest

from tests.helpers import PocketBase, start_server, write_site

SNIPPET = r"""
const out = {}
const t = (f) => { try { const v = f(); return {v: v === undefined ? "undefined" : v} } catch (e) { return {name: e.name, msg: e.message} } }
const S = $security, P = $filepath, F = __FOLDER__
const q = (e) => e.request.url.query().get  // only in the handler; the page reads its own query
out.random = [S.randomString(12).length, /^[A-Za-z0-9]{40}$/.test(S.randomString(40)), S.randomString(0), t(() => S.randomString(-1)),
  S.randomString("5").length, S.randomStringWithAlphabet(6, "a"), S.pseudorandomString(7).length, S.pseudorandomStringWithAlphabet(3, "z")]
out.regex = [/^[a-c]{5}$/.test(S.randomStringByRegex("[a-c]{5}")), S.randomStringByRegex("ab(c|c)\\d{0}"), t(() => S.randomStringByRegex("(")),
  S.randomStringByRegex("x?"), /^[0-9]{2}$/.test(S.randomStringByRegex("\\d{2,3}")), S.randomStringByRegex("<uuidv7>").length]
out.hash = [S.md5("héllo"), S.sha256("héllo"), S.sha512("a"), S.hs256("data", "key"), S.hs512("data", "key"), S.md5(), S.md5(12), S.sha256({a: 1})]
out.equal = [S.equal("a", "a"), S.equal("a", "b"), S.equal("", ""), S.equal("a")]
const tok = S.createJWT({b: [1, "2"], a: 1, s: "<&>", n: null, o: {z: 1, y: 2}}, "secret", 60)
out.jwt = [tok.split(".").length, tok.split(".")[0], t(() => { const c = S.parseJWT(tok, "secret"); delete c.exp; return c })]
out.jwtPayloadNoExp = JSON.stringify(JSON.parse(JSON.stringify(S.parseUnverifiedJWT(tok))), Object.keys(S.parseUnverifiedJWT(tok)).filter((k) => k !== "exp").sort())
out.jwtErrors = [t(() => S.parseJWT(tok, "other")), t(() => S.parseJWT("abc", "secret")), t(() => S.parseUnverifiedJWT("x.y.z")),
  t(() => S.parseJWT(S.createJWT({a: 1}, "secret", -10), "secret")), t(() => S.parseUnverifiedJWT(S.createJWT({a: 1}, "secret", -10))),
  t(() => S.parseJWT(S.createJWT({a: 1}, "secret", 0), "secret")), t(() => S.parseJWT(S.createJWT({a: 1}, "other", -10), "secret")),
  t(() => S.parseJWT("eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.c2ln", "secret")),
  t(() => S.parseJWT(tok.split(".").slice(0, 2).join(".") + ".!!", "secret")),
  t(() => S.parseUnverifiedJWT(S.createJWT({nbf: 9999999999}, "k", 60))), t(() => S.parseUnverifiedJWT(S.createJWT({iat: 9999999999}, "k", 60)))]
const key = "0123456789abcdef0123456789abcdef"
const sealed = S.encrypt("hello wörld", key)
out.crypt = [typeof sealed, sealed.length, S.decrypt(sealed, key), t(() => S.encrypt("x", "short")), t(() => S.decrypt("!!!", key)),
  t(() => S.decrypt(sealed, "0123456789abcdef0123456789abcdeX")), S.decrypt(S.encrypt("x", "0123456789abcdef"), "0123456789abcdef"),
  S.decrypt(S.encrypt("", key), key)]
const paths = ["", ".", "/", "//", "a", "/a/b/", "a//b/./c/..", "../../x", "/../a", "a/b.tar.gz", ".hidden", "a/.", "a/..", "///a//b///", "a.b/c"]
out.paths = paths.map((p) => [P.base(p), P.clean(p), P.dir(p), P.ext(p), P.isAbs(p), P.split(p), P.toSlash(p), P.fromSlash(p), P.splitList(p)])
out.join = [P.join(), P.join("", ""), P.join("a", "", "b"), P.join("/", "a"), P.join("a/", "/b/"), P.join("..", "x"), P.join("", "/x"), P.splitList("a:b::c")]
const pats = [["*", "abc"], ["*", "a/b"], ["a*/b", "abc/b"], ["?", "é"], ["[a-c]", "b"], ["[^a-c]", "b"], ["[!a-c]", "d"], ["[", "a"], ["a[", "a"],
  ["\\*", "*"], ["[a-]", "a"], ["*.go", ".go"], ["[]a]", "]"], ["a\\", "a"], ["*x", "xxx"], ["[\\]]", "]"], ["ab[c", "abd"], ["*", ""], ["", ""],
  ["[-]", "-"], ["a*b*c", "axxbyyc"], ["a*b", "a/b"], ["[a-c]*", "zz"], ["?", "/"], ["[/]", "/"]]
out.match = pats.map(([p, n]) => t(() => P.match(p, n)))
out.rel = [["/a/b", "/a/b/c"], ["/a/b", "/a/x"], ["a", "b"], ["/a", "b"], ["a", "/b"], ["", "a"], ["/", "/"], ["../a", "b"], ["a/b", "../c"],
  [".", "a/b"], ["/a/b/c", "/a"]].map(([a, b]) => t(() => P.rel(a, b)))
out.glob = [t(() => P.glob(F + "/*")), t(() => P.glob(F + "/[")), t(() => P.glob(F + "/s?b/*.txt")), t(() => P.glob(F + "/nope/*")),
  t(() => P.glob(F + "/a.txt")), t(() => P.glob(F + "/zz"))].map((r) => r.v ? {v: r.v.map((p) => p.slice(F.length))} : r)
const strip = (r) => r.msg ? {name: r.name, msg: r.msg.split(F).join("F")} : r
const b = $os.readFile(F + "/a.txt")
out.read = [typeof b, Array.isArray(b), JSON.stringify(b), b.length, toString(b), String(b), strip(t(() => $os.readFile(F + "/nope"))), strip(t(() => $os.readFile(F)))]
out.dir = $os.readDir(F).map((e) => [e.name(), e.isDir(), JSON.stringify(e.type()), String(e.type()), e.info().size()])
const s = $os.stat(F + "/a.txt")
out.stat = [s.name(), s.size(), s.isDir(), JSON.stringify(s.mode()), String(s.mode()), String(s.mode().perm()), typeof s.modTime().unix(), JSON.stringify(s), strip(t(() => $os.stat(F + "/missing")))]
out.env = [$os.getenv("PAGESVM_ORACLE_VALUE"), $os.getenv("NOPE_NOT_SET_ANYWHERE"), $os.getenv(), $os.tempDir(), Array.isArray($os.args)]
out.write = [strip(t(() => $os.mkdir(F + "/w/m1", 0o755))), strip(t(() => $os.mkdir(F + "/w/m1", 0o755))), strip(t(() => $os.mkdirAll(F + "/w/m2/x/y", 0o755))),
  strip(t(() => $os.mkdirAll(F + "/w/m2/x/y", 0o755))), strip(t(() => $os.writeFile(F + "/w/f.txt", "hé", 0o644))), toString($os.readFile(F + "/w/f.txt")),
  strip(t(() => $os.writeFile(F + "/w/g.txt", [104, 105], 0o600))), toString($os.readFile(F + "/w/g.txt")), String($os.stat(F + "/w/g.txt").mode()),
  strip(t(() => $os.rename(F + "/w/g.txt", F + "/w/h.txt"))), strip(t(() => $os.rename(F + "/w/zz", F + "/w/i.txt"))),
  strip(t(() => $os.remove(F + "/w/h.txt"))), strip(t(() => $os.remove(F + "/w/h.txt"))), strip(t(() => $os.remove(F + "/w/m2"))),
  strip(t(() => $os.removeAll(F + "/w/m2"))), strip(t(() => $os.removeAll(F + "/w/m2"))), strip(t(() => $os.truncate(F + "/w/f.txt", 1))),
  $os.stat(F + "/w/f.txt").size(), $os.readDir(F + "/w").map((e) => e.name())]
out.toString = [toString(null), toString(undefined), toString(12), toString(1.5), toString(true), toString("x"), toString({b: 1, a: [1]}),
  toString([104, 105]), toString([]), toString({}), JSON.stringify(toBytes("hé")), JSON.stringify(toBytes(null)), toString(toBytes("hé")),
  JSON.stringify(toBytes([104, 105])), toString(toBytes([104, 105]))]
out.reader = [t(() => readerToString("abc")), t(() => readerToString(b))].map(strip)
out.types = [typeof sleep, typeof __hooks, __hooks.endsWith("/pb_hooks"), typeof $os.exit, typeof $os.cmd]
out.made = {token: S.createJWT({from: "me"}, "shared-secret", 600), sealed: S.encrypt("across", key)}
"""


def _exchange(path):
    """JavaScript reading what the other side made (a token, a ciphertext), from the JSON file at ``path``."""
    return ('const other = JSON.parse(toString($os.readFile(%s)))\nout.read = [$security.parseJWT(other.token, "shared-secret").from, '
            '$security.decrypt(other.sealed, "0123456789abcdef0123456789abcdef")]' % json.dumps(path))


def _write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f)


def _files(folder):
    os.makedirs(os.path.join(folder, "sub"))
    os.makedirs(os.path.join(folder, "w"))
    for name, text in (("a.txt", "héllo"), ("sub/b.txt", "b"), (".hidden", "h")):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write(text)
    return folder


def _hook(snippet, route="/oracle"):
    return 'routerAdd("GET", "%s", (e) => {\n%s\nreturn e.json(200, out)\n})\n' % (route, snippet)


def _page(snippet):
    return "<%%\n%s\n%%><%%- JSON.stringify(out) %%>" % snippet


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    env = {"PAGESVM_ORACLE_VALUE": "from-env"}
    os.environ.update(env)  # the binary inherits the test's environment
    theirs_dir = _files(str(tmp_path_factory.mktemp("theirs")))
    ours_dir = _files(str(tmp_path_factory.mktemp("ours")))
    from_binary, from_ours = os.path.join(theirs_dir, "made.json"), os.path.join(ours_dir, "made.json")
    pb = PocketBase(str(tmp_path_factory.mktemp("pb")), hooks={
        "oracle.pb.js": _hook(SNIPPET.replace("__FOLDER__", json.dumps(theirs_dir))),
        "exchange.pb.js": _hook("const out = {}\n" + _exchange(from_ours), "/exchange")})
    site = write_site(tmp_path_factory.mktemp("site"), {
        "pb_hooks/pages/oracle.ejs": _page(SNIPPET.replace("__FOLDER__", json.dumps(ours_dir))),
        "pb_hooks/pages/exchange.ejs": _page("const out = {}\n" + _exchange(from_binary))})
    server = start_server(site, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")), env=env)
    try:
        status, binary = pb.call("GET", "/oracle")
        assert status == 200, binary
        page = server.get("/oracle")
        assert page.status == 200, page.body
        ours = json.loads(page.body)
        _write_json(from_binary, binary["made"])
        _write_json(from_ours, ours["made"])
        exchange = server.get("/exchange")
        assert exchange.status == 200, exchange.body
        status, back = pb.call("GET", "/exchange")
        assert status == 200, back
    finally:
        server.stop()
        pb.stop()
    ours["exchanged"], ours["back"] = json.loads(exchange.body)["read"], back["read"]
    return binary, ours


KEYS = ["random", "regex", "hash", "equal", "jwt", "jwtPayloadNoExp", "jwtErrors", "crypt", "paths", "join", "match", "rel", "glob",
        "read", "dir", "stat", "env", "write", "toString", "reader", "types"]


@pytest.mark.parametrize("key", KEYS)
def test_globals_answer_as_on_the_binary(answers, key):
    binary, ours = answers
    assert ours[key] == binary[key]


def test_tokens_and_ciphertexts_cross_both_ways(answers):
    binary, ours = answers
    assert ours["exchanged"] == ["me", "across"]  # ours read the binary's token and ciphertext
    assert ours["back"] == ["me", "across"]       # the binary read ours
