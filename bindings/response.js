// The response family's JavaScript half (declared in bindings/page_api.py): response.*
// and redirect. Everything is recorded on the request state and sent once at the end.
(function (R) {
  'use strict';

  // -- response ------------------------------------------------------------------------
  const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
  // The headers that frame the message or steer the connection are the server's (bindings/headers.py
  // FRAMING, which checks again what is sent): refused here, at the page's own line.
  const FRAMING = ['transfer-encoding', 'content-length', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection'];
  function checkHeader(name, value) {
    if (!HEADER_NAME.test(String(name))) throw new Error('response.header: invalid header name ' + JSON.stringify(name));
    if (FRAMING.includes(String(name).toLowerCase())) throw new Error('response.header: ' + String(name) + ' is set by the server only');
    if (/[\r\n\0]/.test(String(value))) throw new Error('response.header: a header value may not contain line breaks');
  }
  // The rules of bindings/cookies.py (which checks everything sent): options are written into
  // Set-Cookie verbatim, so a bad one throws here, where the page set it, rather than becoming
  // an attribute (path: "/; Domain=evil.example").
  const COOKIE_PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/;
  const COOKIE_DOMAIN = /^\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  function cookieFail(name, what) { throw new Error('response.cookie(' + JSON.stringify(String(name)) + '): ' + what); }
  function cookieValue(name, text) {
    if (!HEADER_NAME.test(String(name))) throw new Error('response.cookie: invalid cookie name ' + JSON.stringify(String(name)));
    if (text === undefined) cookieFail(name, 'the value cannot be written as text');
    if (LONE_SURROGATE.test(text)) cookieFail(name, 'the value is not valid Unicode');
    return text;
  }
  function cookieOptions(name, options) {
    if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
      cookieFail(name, 'options must be an object');
    }
    const o = Object.assign({ path: R.config.cookiePath }, options || {});
    const given = (v) => v !== undefined && v !== null && v !== '';
    if (given(o.path) && !(typeof o.path === 'string' && COOKIE_PATH.test(o.path))) {
      cookieFail(name, 'path ' + JSON.stringify(o.path) + ' must start with / and hold no spaces, ";" or control characters');
    }
    if (given(o.domain) && !(typeof o.domain === 'string' && COOKIE_DOMAIN.test(o.domain))) {
      cookieFail(name, 'domain ' + JSON.stringify(o.domain) + ' is not a host name');
    }
    if (o.maxAge !== undefined && o.maxAge !== null && !(typeof o.maxAge === 'number' && isFinite(o.maxAge))) {
      cookieFail(name, 'maxAge must be a number of seconds, got ' + R.stringify(o.maxAge));
    }
    if (given(o.expires)) {
      const when = o.expires instanceof Date ? o.expires : typeof o.expires === 'string' ? new Date(o.expires) : null;
      if (!when || isNaN(when.getTime())) cookieFail(name, 'expires must be a Date, got ' + R.stringify(o.expires));
      o.expires = when.toUTCString();
    }
    const ss = o.sameSite;
    if (!(ss === undefined || ss === null || typeof ss === 'boolean' || typeof ss === 'string' && /^(strict|lax|none)$/i.test(ss))) {
      cookieFail(name, "sameSite must be true, false, 'strict', 'lax' or 'none', got " + R.stringify(ss));
    }
    return o;
  }
  // The response methods and redirect are made once and shared (frozen through R.shared), acting on the
  // request being served (R.state): a request's API costs one small object here, not a dozen closures.
  // Nothing of a request outlives it (its globals are swept, what it shares is frozen), so the current
  // request is always the one whose response the page holds.
  function finish(status, type, body) {
    const res = R.state.response;
    if (status !== undefined && status !== null) res.status = Number(status);
    res.type = type;
    res.body = body;
    res.done = true;
  }
  const chain = () => R.state.api.response;
  const M = {
    status(code) { const res = R.state.response; if (code === undefined) return res.status; res.status = Number(code); return chain(); },
    header(name, value) {
      const res = R.state.response;
      const key = String(name).toLowerCase();
      if (value === undefined) { const h = res.headers[key]; return h ? h[1] : undefined; }
      checkHeader(name, value);
      res.headers[key] = [String(name), String(value)];
      return chain();
    },
    cookie(name, value, options) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      R.state.response.cookies.push({ name: String(name), value: cookieValue(name, text), options: cookieOptions(name, options) });
      return chain();
    },
    json(status, data) { finish(status, 'application/json', R.stringify(data === undefined ? null : data)); },
    html(status, html) { finish(status, 'text/html; charset=utf-8', html == null ? '' : String(html)); },
    write(text) { const res = R.state.response; res.body = (res.body || '') + (text == null ? '' : String(text)); res.type = res.type || 'text/html; charset=utf-8'; res.done = true; },
    redirect(url, status) { redirect(url, { status: status || 302 }); },
    file(path) { const res = R.state.response; res.file = String(path); res.done = true; },
  };
  function redirect(target, options) {
    options = options || {};
    let url = R.safeRedirectTarget(String(target), options);
    if (options.message !== undefined) {
      const hash = url.indexOf('#');
      const base = hash < 0 ? url : url.slice(0, hash);
      const frag = hash < 0 ? '' : url.slice(hash);
      url = base + (base.indexOf('?') < 0 ? '?' : '&') + '__flash=' + encodeURIComponent(String(options.message)) + frag;
    }
    const res = R.state.response;
    res.status = Number(options.status || 302);
    res.redirect = url;
    res.done = true;
  }
  R.shared.push(M);
  R.family(['response', 'redirect'], function (api) {
    api.response = { status: M.status, header: M.header, cookie: M.cookie, json: M.json, html: M.html, write: M.write,
      redirect: M.redirect, file: M.file };
    api.redirect = redirect;
  });

  // Same-site targets only, unless an absolute URL is passed with {external: true}. The target is
  // judged as a browser will read the Location header (WHATWG URL parsing), and that reading is
  // what is sent. A browser trims C0 controls and spaces from both ends and drops tabs and line
  // breaks anywhere; here any control character is refused and spaces are trimmed. Since the
  // base URL is http(s), a backslash before the query counts as a slash. So ' //evil',
  // '/\\evil' and '\\\\evil' all leave the site, and 'http:evil' / 'https:/evil' (whose host
  // depends on the scheme of the page they come from) are refused.
  const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
  R.safeRedirectTarget = function (target, options) {
    const shown = JSON.stringify(target);
    if (/[\0-\x1f\x7f]/.test(target)) throw new Error('redirect: the URL contains control characters');
    let url = target.replace(/^ +| +$/g, '');
    const scheme = SCHEME.exec(url);
    if (scheme && !/^https?$/i.test(scheme[1])) throw new Error('redirect: only http(s) URLs are allowed, got ' + shown);
    const cut = url.search(/[?#]/);
    url = cut < 0 ? url.replace(/\\/g, '/') : url.slice(0, cut).replace(/\\/g, '/') + url.slice(cut);
    if (scheme) {
      const authority = /^[A-Za-z]+:\/\/([^/?#]*)/.exec(url);
      if (!authority || !authority[1]) {
        throw new Error('redirect: ' + shown + ' is not a full URL; write http(s)://host/path, or a path starting with /');
      }
      const sameHost = authority[1].toLowerCase() === String(R.state.payload.request.host).toLowerCase();
      if (!sameHost && !options.external) {
        throw new Error('redirect: ' + shown + ' is another site; pass {external: true} to allow it');
      }
      return url;
    }
    if (url.startsWith('//')) throw new Error('redirect: ' + shown + ' would leave the site');
    if (url.startsWith('/')) return R.config.prefix + url;
    return url;
  };
})(__pv);
