// The request loop inside the interpreter: middleware → loaders → page → layouts.
// Python resolved the route (which files run) before the call; everything here
// happens inside one evaljs per request.
(function (R) {
  'use strict';
  const MAX_DEPTH = 64;
  const EMPTY = Object.freeze({});
  const IDENT = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;  // include data keys usable as bare names
  const LAYOUT_KEYS = ['slot', 'slots'];

  // IDENT.test, with plain ASCII names (nearly all) checked without the Unicode regex.
  function isIdent(key) {
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c > 127) return IDENT.test(key);
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || (i > 0 && c >= 48 && c <= 57))) return false;
    }
    return key.length > 0;
  }

  // Template output: a string as is; a returned value (top-level `return x`) as JSON.
  function asOutput(value) {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'object') return R.stringify(value);
    return String(value);
  }

  // Render a template file with extra locals; guards depth and exact repeats.
  // `keys` (layouts) are the locals' usable names when the caller already knows them.
  R.renderFile = function (path, locals, kind, keys) {
    const st = R.state;
    const stack = st.stack;
    if (stack.length > MAX_DEPTH) {  // the page plus MAX_DEPTH nested includes is the most
      const chain = stack.map((f) => f.path).concat(path);
      throw new Error('include depth over ' + MAX_DEPTH + ': ' + chain.slice(0, 3).join(' -> ') + ' -> … -> ' + chain.slice(-3).join(' -> '));
    }
    if (!keys) keys = locals ? Object.keys(locals).filter(isIdent).sort() : [];
    const frame = { path, locals, signature: null };
    for (const f of stack) {
      if (f.path === path && sameLocals(f, frame)) {
        throw new Error('include cycle: ' + stack.map((x) => x.path).concat(path).join(' -> '));
      }
    }
    let unit;
    try {
      unit = R.unitFor(path, kind || 'template', keys);
    } catch (e) {
      throw R.track(e, path);
    }
    if (unit.jobs) st.jobs = st.usedJobs = true;
    stack.push(frame);
    try {
      const out = asOutput(unit.fn(st.api, locals || EMPTY));
      if (unit.kind !== 'markdown') return out;
      // EJS first, then Markdown; front matter becomes meta() for the layouts (PocketPages' order).
      const md = R.host('markdown', out, path);
      for (const key of Object.keys(md[1] || {})) st.api.meta(key, md[1][key]);
      return md[0];
    } catch (e) {
      throw R.track(e, path);
    } finally {
      stack.pop();
    }
  };
  // Remember the innermost file an error passed through (the stack unwinds before we report).
  R.track = function (e, path) {
    if (e !== null && typeof e === 'object') {
      if (!Object.prototype.hasOwnProperty.call(e, 'pvFile')) {
        try { Object.defineProperty(e, 'pvFile', { value: path, enumerable: false }); } catch (ignored) { /* frozen */ }
      }
    } else if (R.state && R.state.failedIn === null) {
      R.state.failedIn = path;
    }
    return e;
  };
  function sameLocals(a, b) {
    if (a.signature === null) a.signature = R.stringify(a.locals === undefined ? null : a.locals);
    if (b.signature === null) b.signature = R.stringify(b.locals === undefined ? null : b.locals);
    return a.signature === b.signature;
  }

  R.currentFile = function () {
    const st = R.state;
    const top = st.stack[st.stack.length - 1];
    return top ? top.path : st.route.page;
  };

  // Partials and modules are looked up by Python once per request and name.
  R.find = function (name, kind, from) {
    const st = R.state;
    from = from || R.currentFile();
    const key = kind + '\0' + from + '\0' + name;
    if (!(key in st.found)) st.found[key] = R.host('find', from, String(name), kind);
    return st.found[key];
  };

  // A partial sees its caller's locals with the include data on top.
  R.include = function (name, extra) {
    const path = R.find(name, 'template');
    if (!path) throw new Error("No partial '" + name + "' found in any _private folder above " + R.currentFile());
    const stack = R.state.stack;
    const caller = stack.length ? stack[stack.length - 1].locals : undefined;
    const locals = caller || extra ? R.safeAssign(R.safeAssign({}, caller), extra) : undefined;
    return R.renderFile(path, locals, /\.md$/.test(path) ? 'markdown' : 'template');  // .md: EJS, then Markdown
  };

  // -- layouts and slots ----------------------------------------------------------------
  // PocketPages' slot rule: `<!-- slot:NAME -->` starts a named section that runs to the
  // next marker; `slot` is what is left (trimmed), or a section named `default`.
  const SECTION = /<!--\s*slot:(\w+)\s*-->([\s\S]*?)(?=<!--\s*slot:\w+\s*-->|$)/g;
  R.splitSlots = function (content) {
    // Most pages have no slot markers: skip the backtracking regex over the whole page.
    if (content.indexOf('<!--') === -1) return { slots: {}, slot: content.trim() };
    const slots = {};
    const rest = content.replace(SECTION, function (whole, name, section) {
      const text = section.trim();
      if (!text) return whole;
      slots[name] = text;
      return '';
    });
    return { slots, slot: slots.default !== undefined ? slots.default : rest.trim() };
  };
  function wrapInLayouts(content, layouts) {
    for (const layout of layouts) {
      const parts = R.splitSlots(content);
      content = R.renderFile(layout, { slot: parts.slot, slots: parts.slots }, undefined, LAYOUT_KEYS);
    }
    return content;
  }

  // -- middleware and loaders -------------------------------------------------------------
  function runMiddleware(st) {
    for (const path of st.route.middlewares) {
      const fn = R.requireFile(path);
      if (typeof fn !== 'function') throw new TypeError(path + ' must export a function (module.exports = (api, next) => …)');
      let proceed = true;
      try {
        if (fn.length >= 2) {
          proceed = false;
          fn(st.api, function next(extra) { proceed = true; R.deepMerge(st.data, extra); });
        } else {
          R.deepMerge(st.data, fn(st.api));
        }
      } catch (e) {
        throw R.track(e, path);
      }
      if (!proceed) return false;
      if (st.response.done) return false;
    }
    return true;
  }
  function runLoaders(st) {
    for (const path of st.route.loaders) {
      const fn = R.requireFile(path);
      if (typeof fn !== 'function') throw new TypeError(path + ' must export a function (module.exports = (api) => data)');
      try {
        R.deepMerge(st.data, fn(st.api));
      } catch (e) {
        throw R.track(e, path);
      }
      if (st.response.done) return;
    }
  }

  // -- one request ---------------------------------------------------------------------------
  // PocketPages answers any output that parses as JSON as application/json.
  function looksLikeJson(text) {
    if (!R.mayBeJson(text)) return false;  // HTML: no trim of the whole page, no SyntaxError
    try { JSON.parse(text); return true; } catch (e) { return false; }
  }

  function render(st) {
    // A pb_hooks route, or a page inside the routerUse chain, which renders it (runtime/hooks/js/hooks.js).
    if (st.route.hook !== undefined) return R.runHook(st);
    renderPage(st);
  }
  function renderPage(st) {
    if (!runMiddleware(st)) return;
    runLoaders(st);
    if (st.response.done) return;
    const route = st.route;
    let output = R.renderFile(route.page, route.locals, route.kind);  // locals: Engine.render_file
    if (st.response.done) return;
    if (R.outputFilter !== null) output = R.outputFilter(st, output);  // a listed plugin's onRender (bindings/datastar.js)
    const res = st.response;
    const type = res.headers['content-type'];
    if (type && !/^text\/html\b/i.test(type[1])) {
      res.body = output;  // the page chose its own content type: no JSON check, no layouts
      return;
    }
    if (looksLikeJson(output)) {
      res.body = output;
      res.type = 'application/json';
      return;
    }
    res.body = wrapInLayouts(output, route.layouts);
  }
  R.renderPage = renderPage;
  R.outputFilter = null;

  R.newState = function (payload) {
    return {
      payload, route: payload.route, data: {}, meta: {}, found: {}, modules: {},
      stack: [], deferred: [], failedIn: null, auth: undefined, api: null, request: null, formFields: null, keptHtml: null,
      jobs: false, usedJobs: false,
      response: { status: 200, headers: {}, cookies: [], body: null, type: null, done: false, redirect: null, file: null },
    };
  };

  // The response record for Python. Everything but the body goes through JSON here, while the
  // request is still current and timed: a page object in it (cookie options, deferred arguments,
  // an error's status…) runs its toJSON or getters now, never after the sweep of globals.
  const plain = (value) => JSON.parse(JSON.stringify(value));
  function record(st, error) {
    const res = st.response;
    // echo() outside a template (middleware, loaders) writes ahead of the page, as in PocketPages.
    const body = st.echoed ? st.echoed + (res.body || '') : res.body;
    // Cookie options and deferred arguments are the page's own values: made plain JSON here,
    // inside the request, so no toJSON of theirs runs after the sweep. The rest is strings and
    // numbers the runtime made.
    const out = {
      status: res.status, headers: Object.values(res.headers), cookies: res.cookies.length ? plain(res.cookies) : [],
      type: res.type, redirect: res.redirect, file: res.file, deferred: st.deferred.length ? plain(st.deferred) : [], error,
    };
    out.body = body == null || typeof body === 'string' ? body : String(body);
    // The body is the last large $template render, which Python kept (Context.last_html): not sent back.
    if (out.body !== null && out.body === st.keptHtml) {
      out.body = null;
      out.kept = true;
    }
    // QuickJS hit its memory limit: Python replaces the interpreter before the next request.
    // A thrown null may be that too: QuickJS throws null when it cannot even build the InternalError.
    out.exhausted = error !== null && ((error.name === 'InternalError' && error.message === 'out of memory') || error.thrownNull === true);
    return out;
  }

  // One request: the page, then its pending promise jobs, then the record; the record is made
  // again when making it queued jobs (a toJSON). `fatal`: a drain failed, the interpreter is done.
  R.handle = function (payload) {
    const st = R.newState(payload);
    R.state = st;
    let error = null;
    let result = null;
    try {
      try {
        if (payload.units) R.defineUnits(payload.units);
        // A hook route (or 404, or file) renders no page: its context API is built only if asked for
        // (require('pocketpages'), R.apiOf), which spares ~25 µs of a JSON route.
        const hook = st.route.hook;
        const fx = payload.fx;
        if (hook === undefined || hook.pages != null) {
          // A sign-in hook's user comes twice (the payload's auth and, as the hook set it, fx.auth): the last,
          // fx's, is the one that counts, so it is the only record made.
          if (fx && 'auth' in fx) {
            payload.auth = fx.auth;
            delete fx.auth;
          }
          st.api = R.buildApi(st);
        }
        // What on_request hooks set (status, headers, cookies), first: the page's own calls follow.
        if (fx) R.applyEffects({ fx });
        render(st);
      } catch (e) {
        error = describeError(e);
      }
      for (;;) {
        const drained = st.jobs ? R.drainJobs(st) : null;
        if (drained && drained.fatal) { result = { fatal: true }; break; }
        if (drained && drained.e !== undefined && error === null) {
          error = { name: 'Error', message: 'unhandled promise rejection: ' + drained.e, stack: '', status: null, binding: null, file: String(st.route.page), line: null };
        }
        try {
          result = record(st, error);
        } catch (e) {  // a toJSON that threw: the error alone, on an empty response
          result = record(R.newState(payload), describeError(e));
        }
        if (!st.jobs) break;
      }
      // Making the record may run page code (a toJSON, a toString) that settles a promise whose reaction was
      // queued before without marking the request again: such late jobs run now, on this request's clock and
      // state, their effects dropped with it, never in a later request or after the batch's last page.
      if (st.usedJobs && !result.fatal && R.drainJobs(st).fatal) result = { fatal: true };
    } finally {
      result = result || { fatal: true };
      result.leaked = R.cleanGlobals();
      R.state = null;
      if (!st.shared) for (let i = 0; i < R.releases.length; i++) R.releases[i](st);
      breakCycles(st);
    }
    return result;
  };

  // A request's objects point at each other (the API at itself, the state at the API, the API's closures at
  // the state): left so, they wait for dukpy's collection after the evaluation, which walks them all. Once
  // the request is over, nothing runs its code again, so its two links are cut and reference counting
  // frees it at once.
  function breakCycles(st) {
    const api = st.api;
    st.api = null;
    if (api !== null) Reflect.deleteProperty(api, 'api');
  }

  // What a family keeps per request and links into a cycle (record.js: a request's records and their wire) is
  // released by a function of its own, called with the request's state once the request is over; not when the
  // request used `$app.store()` (app_query.js), which outlives it: what it reached there stays whole.
  R.releases = [];

  // Several requests in one evaluation (dukpy collects garbage around every evaluation, so one
  // per request would pay that cost each time). Python learns of each result as it is made:
  // it re-arms the time limit for the next request, and after an interruption it knows which
  // requests never started. A request that left undeletable globals ends the batch, so no
  // later request runs beside them; Python replaces the interpreter and retries the rest.
  // So does a request that ran out of memory.
  // A request whose jobs could not be drained is not reported: Python blames it for the failure.
  R.batch = function (payloads) {
    R.collect();
    for (let i = 0; i < payloads.length; i++) {
      const result = R.handle(payloads[i]);
      if (result.fatal) return i;
      R.done(i, result);
      if (result.leaked.length || result.exhausted) return i + 1;
    }
    return payloads.length;
  };

  // Only plain strings and numbers: the record must not hold page objects.
  function describeError(e) {
    const st = R.state;
    try {
      if (e instanceof Error) {
        return { name: String(e.name), message: String(e.message), stack: String(e.stack || ''), status: Number(e.status) || null,
          binding: e.binding ? String(e.binding) : null, file: String(e.pvFile || st.route.page), line: Number(e.pvLine) || null };
      }
      return { name: 'Error', message: 'uncaught ' + (typeof e === 'string' ? e : R.stringify(e)), stack: '', status: null, binding: null, file: String(st.failedIn || st.route.page), thrownNull: e === null };
    } catch (ignored) {
      return { name: 'Error', message: 'uncaught error (it could not be described)', stack: '', status: null, binding: null, file: String(st.route.page) };
    }
  }
})(__pv);
