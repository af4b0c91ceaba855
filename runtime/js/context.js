// The context API a page sees (SPEC §3), built per request from the payload Python sent.
// Python bindings (auth, store, env, logging, user bindings) are added by stubs.js.
(function (R) {
  'use strict';

  // -- params, data, request ----------------------------------------------------------
  R.family(['params', 'data', 'request', 'auth', 'formData', 'body'], function (api, st) {
    const req = st.payload.request;
    api.params = st.route.params;
    api.data = st.data;
    const headers = req.headers;
    const cookieJar = req.cookies;
    const request = {
      method: req.method,
      url: R.parseUrl(req.url),
      headers,
      header(name) { const v = headers[String(name).toLowerCase()]; return v === undefined ? '' : v; },
      cookies(name) {
        if (name === undefined) {
          const all = {};
          for (const k of Object.keys(cookieJar)) all[k] = parseMaybeJson(cookieJar[k]);
          return all;
        }
        return Object.prototype.hasOwnProperty.call(cookieJar, name) ? parseMaybeJson(cookieJar[name]) : undefined;
      },
      auth: undefined,
    };
    st.request = request;
    api.request = request;
    const body = req.body;
    api.body = function () { return body; };
    // formData is a function (PocketPages today) and readable as an object (older pages).
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
    const formData = function () { return body; };
    api.formData = new Proxy(formData, {
      get(target, key) { return typeof key === 'string' && Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : target[key]; },
      has(target, key) { return Object.prototype.hasOwnProperty.call(fields, key) || key in target; },
    });
    api.auth = undefined;
    if (st.payload.auth) R.setAuthInitial(st, api, st.payload.auth);
  });

  R.setAuthInitial = function (st, api, record) {
    const value = R.makeRecord(record);
    st.auth = value;
    st.request.auth = value;
    api.auth = value;
  };

  function parseMaybeJson(value) {
    if (typeof value !== 'string') return value;
    try { return JSON.parse(value); } catch (e) { return value; }
  }
  R.parseMaybeJson = parseMaybeJson;

  // -- url ---------------------------------------------------------------------------------
  R.parseUrl = function (input) {
    const s = String(input);
    const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*:)\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(s) || [];
    const protocol = m[1] || '';
    const host = m[2] || '';
    const search = m[4] || '';
    const query = {};
    if (search.length > 1) {
      for (const pair of search.slice(1).split('&')) {
        if (!pair) continue;
        const eq = pair.indexOf('=');
        const k = decode(eq < 0 ? pair : pair.slice(0, eq));
        const v = eq < 0 ? '' : decode(pair.slice(eq + 1));
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
        query[k] = k in query ? [].concat(query[k], v) : v;
      }
    }
    const colon = host.lastIndexOf(':');
    return {
      href: s, protocol, host, hostname: colon > 0 ? host.slice(0, colon) : host, port: colon > 0 ? host.slice(colon + 1) : '',
      origin: protocol ? protocol + '//' + host : '', pathname: m[3] || '', search, hash: m[5] || '', query,
    };
  };
  function decode(s) {
    try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; }
  }

  // -- response ------------------------------------------------------------------------
  const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
  function checkHeader(name, value) {
    if (!HEADER_NAME.test(String(name))) throw new Error('response.header: invalid header name ' + JSON.stringify(name));
    if (/[\r\n\0]/.test(String(value))) throw new Error('response.header: a header value may not contain line breaks');
  }
  R.family(['response', 'redirect'], function (api, st) {
    const res = st.response;
    function finish(status, type, body) {
      if (status !== undefined && status !== null) res.status = Number(status);
      res.type = type;
      res.body = body;
      res.done = true;
    }
    api.response = {
      status(code) { if (code === undefined) return res.status; res.status = Number(code); return api.response; },
      header(name, value) {
        const key = String(name).toLowerCase();
        if (value === undefined) { const h = res.headers[key]; return h ? h[1] : undefined; }
        checkHeader(name, value);
        res.headers[key] = [String(name), String(value)];
        return api.response;
      },
      cookie(name, value, options) {
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        res.cookies.push({ name: String(name), value: text, options: Object.assign({ path: R.config.cookiePath }, options || {}) });
        return api.response;
      },
      json(status, data) { finish(status, 'application/json', R.stringify(data === undefined ? null : data)); },
      html(status, html) { finish(status, 'text/html; charset=utf-8', html == null ? '' : String(html)); },
      write(text) { res.body = (res.body || '') + (text == null ? '' : String(text)); res.type = res.type || 'text/html; charset=utf-8'; res.done = true; },
      redirect(url, status) { redirect(url, { status: status || 302 }); },
      file(path) { res.file = String(path); res.done = true; },
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
      res.status = Number(options.status || 302);
      res.redirect = url;
      res.done = true;
    }
    api.redirect = redirect;
  });

  // Same-site targets only, unless an absolute URL is passed with {external: true}.
  R.safeRedirectTarget = function (url, options) {
    if (/[\0-\x1f\x7f]/.test(url)) throw new Error('redirect: the URL contains control characters');
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) {
      const u = R.parseUrl(url);
      const sameHost = u.host && u.host === R.state.payload.request.host;
      if (!/^https?:$/i.test(u.protocol) || !u.host) throw new Error('redirect: only http(s) URLs are allowed, got ' + JSON.stringify(url));
      if (!sameHost && !options.external) {
        throw new Error('redirect: ' + JSON.stringify(url) + ' is another site; pass {external: true} to allow it');
      }
      return url;
    }
    if (/^[\\/][\\/]/.test(url) || /^\/\\/.test(url)) throw new Error('redirect: ' + JSON.stringify(url) + ' would leave the site');
    if (url.startsWith('/')) return R.config.prefix + url;
    return url;
  };

  // -- output helpers, meta, misc --------------------------------------------------------
  R.family(['api', 'echo', 'include', 'resolve', 'require', 'meta', 'url', 'stringify', 'asset', 'slot', 'slots'], function (api, st) {
    api.api = api;
    api.echo = function () { st.echoed = (st.echoed || '') + R.echoText(arguments); };
    api.include = R.include;
    api.resolve = R.resolve;
    api.require = function (name) { return R.makeRequire(R.currentFile())(name); };
    api.meta = function (key, value) {
      if (value === undefined) return st.meta[key];
      st.meta[key] = value;
      return value;
    };
    api.url = R.parseUrl;
    api.stringify = R.stringify;
    api.asset = function (path) { return R.host('asset', String(path), R.currentFile()); };
    api.slot = undefined;
    api.slots = {};
  });
})(__pv);
