// PocketBase's `$http.send` (bindings/http_api.py does the exchange): the config coerced as the binary reads
// it (a body that is not a string, number or boolean sends nothing; a timeout of 0 or less is the default
// 120 s), the answer shaped as the binary's: {json, headers, cookies, raw, body, statusCode}. `body` is a byte
// array toString() reads back, made from `raw` only when a page reads it; failures throw GoErrors.
(function (G) {
  'use strict';
  const R = G.__pv;
  const toBytes = G.toBytes;  // globals.js, loaded before this file
  const str = (v) => (v === undefined || v === null ? '' : String(v));
  const SAME_SITE = { 2: 'Lax', 3: 'Strict', 4: 'None' };

  // Go's http.Cookie: its fields, and String() as a Set-Cookie value.
  function cookie(c) {
    const out = Object.assign({}, c);
    out.string = function () {
      let text = c.name + '=' + (c.quoted || /[ ,]/.test(c.value) ? '"' + c.value + '"' : c.value);
      if (c.path) text += '; Path=' + c.path;
      if (c.domain) text += '; Domain=' + c.domain.replace(/^\./, '');
      if (c.rawExpires && c.expires !== '0001-01-01T00:00:00Z') text += '; Expires=' + new Date(c.expires).toUTCString();
      if (c.maxAge > 0) text += '; Max-Age=' + c.maxAge;
      else if (c.maxAge < 0) text += '; Max-Age=0';
      if (c.httpOnly) text += '; HttpOnly';
      if (c.secure) text += '; Secure';
      if (SAME_SITE[c.sameSite]) text += '; SameSite=' + SAME_SITE[c.sameSite];
      if (c.partitioned) text += '; Partitioned';
      return text;
    };
    out.valid = () => null;
    return out;
  }
  // The binary fills `json` only with an object or an array.
  function parsed(raw) {
    try {
      const value = JSON.parse(raw);
      return value !== null && typeof value === 'object' ? value : null;
    } catch (e) {
      return null;
    }
  }
  function body(config) {
    const b = config.body;
    if (typeof b === 'string') return b;
    return typeof b === 'number' || typeof b === 'boolean' ? String(b) : '';
  }

  function send(config) {
    config = config !== null && typeof config === 'object' ? config : {};
    const headers = {};
    if (config.headers !== null && typeof config.headers === 'object') {
      for (const k of Object.keys(config.headers)) headers[k] = str(config.headers[k]);
    }
    const timeout = Number(config.timeout);
    const answer = R.py('pv_http.send', [{ url: str(config.url), method: str(config.method), headers, body: body(config),
      timeout: Number.isFinite(timeout) ? timeout : 0 }]);
    if (answer.error !== undefined) throw R.goError(answer.error);
    const a = answer.ok;
    const byName = {};
    for (const [k, v] of a.headers) (byName[k] || (byName[k] = [])).push(v);
    const cookies = {};
    for (const name of Object.keys(a.cookies)) cookies[name] = cookie(a.cookies[name]);
    let bytes = a.bytes === undefined ? undefined : R.bytes(a.bytes);
    const out = { json: parsed(a.raw), headers: byName, cookies, raw: a.raw };
    Object.defineProperty(out, 'body', {
      enumerable: true, configurable: true,
      get() { if (bytes === undefined) bytes = toBytes(a.raw); return bytes; },
      set(v) { bytes = v; },
    });
    out.statusCode = a.status;
    return out;
  }

  G.$http = Object.freeze({ send });
})(globalThis);
