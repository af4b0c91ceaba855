// The response family's JavaScript half (declared in bindings/page_api.py): response.*
// and redirect. Everything is recorded on the request state and sent once at the end.
(function (R) {
  'use strict';

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
})(__pv);
