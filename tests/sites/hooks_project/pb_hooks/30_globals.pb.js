// The oracle's JSVM globals and record hooks (tests/hooks/hooks_corpus.py): GET /api/t/g/{case} answers what one
// snippet returns (or the message it throws, as {error}); everything lives inside the handler, as the binary
// runs each handler in its own VM. POST /api/t/rec/{case} saves a users record whose hooks change it.
routerAdd("GET", "/api/t/g/{case}", (e) => {
  const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6ImFiYyIsIm4iOjEsImV4cCI6NDEwMjQ0NDgwMH0.KHPlv-tPiEbwqlXLusuMZqFZg5xrNAmNa2s6S1MCCSs"
  const KEY = "0123456789abcdef0123456789abcdef"
  const tpl = (text, data) => $template.loadString(text).render(data)
  const cases = {
    "sha256": () => $security.sha256("abc"),
    "sha512": () => $security.sha512("héllo"),
    "md5": () => $security.md5(""),
    "hs256": () => $security.hs256("data", "secret"),
    "hs512": () => $security.hs512("data", "secret"),
    "equal": () => [$security.equal("a", "a"), $security.equal("a", "b")],
    "jwt roundtrip": () => { const c = $security.parseJWT($security.createJWT({ id: "x", n: 2 }, "s3cret", 3600), "s3cret"); return [c.id, c.n, typeof c.exp] },
    "jwt fixed": () => $security.parseJWT(JWT, "fixed-secret"),
    "jwt wrong secret": () => $security.parseJWT(JWT, "other"),
    "jwt malformed": () => $security.parseJWT("abc.def", "fixed-secret"),
    "random lengths": () => [$security.randomString(12).length, /^[ab]{8}$/.test($security.randomStringWithAlphabet(8, "ab")),
      $security.pseudorandomString(5).length],
    "random by regex": () => /^[a-c]{5}x$/.test($security.randomStringByRegex("[a-c]{5}x")),
    "encrypt roundtrip": () => $security.decrypt($security.encrypt("hello there", KEY), KEY),
    "decrypt garbage": () => $security.decrypt("bm90IGNpcGhlcnRleHQ=", KEY),
    "tpl text": () => tpl("<p>{{.name}}</p>", { name: "<b>x</b> & 'y'" }),
    "tpl attrs": () => tpl('<a href="{{.url}}" title="{{.t}}">x</a>', { url: "javascript:alert(1)", t: '"q" <r>' }),
    "tpl url query": () => tpl('<a href="/x?q={{.q}}&r={{.r}}">x</a>', { q: "a b&c", r: "é/ü" }),
    "tpl script": () => tpl("<script>var x = {{.v}}; var s = '{{.s}}';</script>", { v: { a: "</script>", n: 1 }, s: "it's" }),
    "tpl range if": () => tpl("{{range $i, $x := .items}}<li>{{$i}}={{$x}}</li>{{end}}{{if .flag}}yes{{else}}no{{end}}", { items: ["a", "<b>"], flag: false }),
    "tpl funcs": () => tpl('{{len .items}} {{printf "%05d|%s" .n .s}} {{index .items 1}} {{.m.k}}', { items: [1, 2, 3], n: 42, s: "s", m: { k: "v" } }),
    "tpl define": () => tpl('{{define "x"}}[{{.}}]{{end}}{{template "x" .a}}{{template "x" .b}}', { a: "1", b: "<2>" }),
    "tpl parse error": () => tpl("{{.x", {}),
    "tpl missing key": () => tpl("<i>{{.nope}}</i>|{{.a.b}}", { a: {} }),
    "filepath": () => [$filepath.join("a", "b", "../c"), $filepath.base("/a/b.txt"), $filepath.ext("x.tar.gz"),
      $filepath.dir("/a/b/c"), $filepath.clean("a//b/./c/.."), $filepath.isAbs("/x"), $filepath.isAbs("x")],
    "filepath more": () => [$filepath.split("/a/b"), $filepath.match("*.txt", "a.txt"), $filepath.rel("/a", "/a/b/c"),
      $filepath.base(""), $filepath.dir(""), $filepath.toSlash("a/b")],
    "filepath bad pattern": () => $filepath.match("[", "a"),
    "filepath rel error": () => $filepath.rel("a", "/b"),
  }
  const fn = cases[e.request.pathValue("case")]
  if (!fn) throw new NotFoundError("no such case")
  try {
    return e.json(200, { value: fn() })
  } catch (err) {
    return e.json(200, { error: String(err) })
  }
})

onRecordCreate((e) => {
  if (String(e.record.get("name")).startsWith("hook-")) e.record.set("name", String(e.record.get("name")).toUpperCase())
  if (e.record.get("name") === "refuse") throw new BadRequestError("refused by hook")
  e.next()
}, "users")
onRecordValidate((e) => { if (e.record.get("name") === "HOOK-EMPTY") e.record.set("email", ""); e.next() }, "users")
onRecordAfterCreateError((e) => { $app.store().set("lastError", String(e.error)); e.next() }, "users")
routerAdd("POST", "/api/t/rec/{case}", (e) => {
  const body = e.requestInfo().body
  const users = $app.findCollectionByNameOrId("users")
  const r = new Record(users)
  r.set("email", body.email || "rec@example.com")
  r.set("name", body.name)
  r.setPassword("secret-pass-1")
  if (body.raw) { $app.save(r); return e.json(200, { saved: true }) }  // what the hook throws answers
  let out
  try {
    $app.save(r)
    out = { saved: true, name: r.get("name"), isNew: r.isNew(), found: $app.findRecordById("users", r.id).get("name") }
    $app.delete(r)
  } catch (err) {
    out = { saved: false, error: String(err), lastError: $app.store().get("lastError") }
  }
  return e.json(200, out)
})
