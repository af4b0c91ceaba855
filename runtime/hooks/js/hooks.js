// The registering globals of pb_hooks files (routerAdd, routerUse, on*, cronAdd, $apis, Middleware, the
// API error classes) and the run of one hook request (R.runHook, called by render.js).
//
// A hook file is a module unit. While it runs (once at start-up to learn, then at most once per request
// that needs it) every registering call is kept, in order, for that file: at start-up Python is handed
// their descriptions (runtime/hooks/learn.py); in a request the closure at the index Python names is taken.
(function (G) {
  'use strict';
  const R = G.__pv;

  // -- errors: PocketBase's router.ApiError and its shorthands --------------------------------------
  const GENERIC = 'Something went wrong while processing your request.';
  // inflector.Sentenize: trimmed, first letter upper-case, a final period unless it ends in punctuation.
  function sentenize(text) {
    text = String(text == null ? '' : text).trim();
    if (!text) return '';
    text = text[0].toUpperCase() + text.slice(1);
    return /[.!?]$/.test(text) ? text : text + '.';
  }
  // router.NewApiError's safeErrorsData: an object's keys are kept, an object value is walked the same way,
  // every other value (a string, a number, an array, `code`/`message` strings too) reads as an invalid value;
  // data that is no object at all is {}. As the binary, a {code, message} pair a hook writes is not kept.
  const INVALID = { code: 'validation_invalid_value', message: 'Invalid value.' };
  function safeData(data, depth) {
    const out = {};
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return out;
    for (const key of Object.keys(data)) {
      const v = data[key];
      out[key] = v !== null && typeof v === 'object' && !Array.isArray(v) && (depth || 0) < 32
        ? safeData(v, (depth || 0) + 1) : { code: INVALID.code, message: INVALID.message };
    }
    return out;
  }
  class ApiError extends Error {
    constructor(status, message, data) {
      const text = sentenize(message);
      super(text);
      this.status = Number(status) || 400;
      this.data = safeData(data);
      this.message = text;
    }
    toJSON() { return { data: this.data, message: this.message, status: this.status }; }
  }
  function shorthand(status, fallback) {
    return class extends ApiError {
      constructor(message, data) { super(status, sentenize(message) || fallback, data); }
    };
  }
  const errors = {
    ApiError,
    BadRequestError: shorthand(400, GENERIC),
    NotFoundError: shorthand(404, "The requested resource wasn't found."),
    ForbiddenError: shorthand(403, 'You are not allowed to perform this request.'),
    UnauthorizedError: shorthand(401, 'Missing or invalid authentication.'),
    TooManyRequestsError: shorthand(429, 'Too Many Requests.'),
    InternalServerError: shorthand(500, GENERIC),
  };
  for (const name of Object.keys(errors)) {
    Object.defineProperty(errors[name], 'name', { value: name });
    G[name] = errors[name];
  }
  R.hookErrors = errors;
  // An ApiError whose data is already in the answer's shape (Python's checks, another ApiError's): kept as is.
  R.apiErrorWith = function (status, message, data) {
    const out = new ApiError(status, message);
    if (data !== null && typeof data === 'object') out.data = data;
    return out;
  };
  // What a thrown value answers: an ApiError as itself, anything else PocketBase's generic 400.
  R.apiErrorBody = function (e) {
    if (e instanceof ApiError) return { status: e.status >= 400 && e.status < 600 ? e.status : 400, json: e.toJSON() };
    const data = {};  // a failed save's validation errors, as the binary's router answers them
    if (e instanceof Error && e.name === 'GoError' && e.pvInvalid) for (const [k, code, text] of e.pvInvalid) data[k] = { code, message: sentenize(text) };
    return { status: 400, json: { data, message: GENERIC, status: 400 } };
  };

  // -- middlewares ------------------------------------------------------------------------------------
  class Middleware {
    constructor(func, priority, id) {
      if (typeof func !== 'function') throw new TypeError('Middleware: func must be a function');
      this.func = func;
      this.priority = Number(priority) || 0;
      this.id = id == null ? '' : String(id);
    }
  }
  G.Middleware = Middleware;
  // $apis' middlewares: a request's run of a hook file makes every one its routes name, and runs one route's
  // at most, so the function of one is made only when a chain calls it (BUILTINS[name], from its args).
  // Assigning `m.func` (a file wrapping the guard, as PocketBase's Go field allows) gives that middleware its
  // own function, as the own property it was; the shared prototype itself is frozen, so it refuses.
  // What a middleware of $apis makes its function from, [name, arguments], kept by the runtime beside it: not
  // among its keys, whose JSON is the binary's ({"id":"pbRequireAuth","priority":0}), nor under a symbol a file
  // could read (Object.getOwnPropertySymbols) and set on its own Middleware, to be described to Python as bodyLimit.
  const SPECS = new WeakMap();
  // The binary's id for each, and priority where it is not 0 (tests/hooks/test_hooks_oracle.py).
  const IDS = { requireAuth: 'pbRequireAuth', requireSuperuserAuth: 'pbRequireSuperuserAuth', requireGuestOnly: 'pbRequireGuestOnly',
    requireSuperuserOrOwnerAuth: 'pbRequireSuperuserOrOwnerAuth', bodyLimit: 'pbBodyLimit', gzip: 'pbGzip',
    skipSuccessActivityLog: 'pbSkipSuccessActivityLog' };
  const PRIORITIES = { bodyLimit: -990 };
  const BUILTIN = Object.create(Middleware.prototype, {
    func: {
      get() { const spec = SPECS.get(this); return BUILTINS[spec[0]](spec[1]); },
      set(value) { Object.defineProperty(this, 'func', { value, writable: true, enumerable: true, configurable: true }); },
    },
  });
  R.shared.push(BUILTIN);  // frozen with the rest (lockdown.js): no request may change what the next one's run
  function builtin(name, args) {
    const m = Object.create(BUILTIN);
    m.id = IDS[name];
    m.priority = PRIORITIES[name] || 0;
    SPECS.set(m, [name, args]);
    return m;
  }
  function asMiddleware(value, where) {
    if (typeof value === 'function') return new Middleware(value, 0, '');
    if (value instanceof Middleware) return value;
    throw new Error('[' + where + '] failed to wrap middlewares: unsupported goja middleware type');
  }
  const E = errors;
  function requireAuth(collections) {
    return function (e) {
      const auth = e.pvAuth();
      if (!auth) throw new E.UnauthorizedError('The request requires valid record authorization token.');
      if (collections.length && !collections.includes(auth.collectionName)) {
        throw new E.ForbiddenError('The authorized record is not allowed to perform this action.');
      }
      return e.next();
    };
  }
  // Each call makes a new function: one handed to a request (m.func) must not be the next request's too.
  const BUILTINS = Object.assign(Object.create(null), {
    requireAuth: requireAuth,
    requireSuperuserAuth: () => requireAuth(['_superusers']),
    requireGuestOnly: () => (e) => {
      if (e.pvAuth()) throw new E.BadRequestError('The request can be accessed only by guests.');
      return e.next();
    },
    // A superuser, or the record whose id is the path's `param` (default `id`), of any auth collection.
    requireSuperuserOrOwnerAuth: (args) => (e) => {
      const auth = e.pvAuth();
      if (!auth) throw new E.UnauthorizedError('The request requires superuser or record authorization token.');
      if (auth.collectionName !== '_superusers' && e.request.pathValue(args[0] || 'id') !== auth.id) {
        throw new E.ForbiddenError('You are not allowed to perform this request.');
      }
      return e.next();
    },
    bodyLimit: () => (e) => e.next(),  // checked by Python before the chain runs (runtime/http/hook_routes.py)
    gzip: () => (e) => e.next(),  // responses are not compressed (README)
    skipSuccessActivityLog: () => (e) => e.next(),
  });
  G.$apis = {
    requireAuth(...collections) { return builtin('requireAuth', collections.map(String)); },
    requireSuperuserAuth() { return builtin('requireSuperuserAuth', []); },
    requireGuestOnly() { return builtin('requireGuestOnly', []); },
    requireSuperuserOrOwnerAuth(param) { return builtin('requireSuperuserOrOwnerAuth', [param == null ? '' : String(param)]); },
    bodyLimit(limit) { return builtin('bodyLimit', [Number(limit) || 0]); },
    gzip() { return builtin('gzip', []); },
    skipSuccessActivityLog() { return builtin('skipSuccessActivityLog', []); },
  };

  // -- registering ----------------------------------------------------------------------------------
  // The calls of the file being run are kept in st.hook.found[file]. Learning (start-up) makes each entry at
  // once, so a bad argument fails at its own line. A request's run of the file only keeps each call's maker
  // and arguments, two values, and makes the entries it takes (entryAt): a file of 60 routes made every
  // entry, their middlewares and $apis closures for each request that used one (~540 µs).
  function keep(kind, make, args) {
    const st = R.state;
    const h = st ? st.hook : undefined;
    if (!h || h.file === null) throw new Error(kind + '() can only be called while a pb_hooks file loads');
    const list = h.found[h.file] || (h.found[h.file] = []);
    if (h.lazy) {
      list.push(make, args);
      return;
    }
    const entry = make.apply(undefined, args);
    entry.index = list.length;
    list.push(entry);
  }
  function handlerOf(fn, where) {
    if (typeof fn !== 'function') throw new TypeError('[' + where + '] the handler must be a function');
    return fn;
  }
  function routeEntry(method, path, handler, ...middlewares) {
    return { kind: 'route', method: String(method).toUpperCase(), path: String(path), handler: handlerOf(handler, 'routerAdd'),
      mws: middlewares.map((m) => asMiddleware(m, 'routerAdd')) };
  }
  function useEntry(...middlewares) { return { kind: 'use', mws: middlewares.map((m) => asMiddleware(m, 'routerUse')) }; }
  function cronEntry(id, expr, handler) { return { kind: 'cron', name: String(id), path: String(expr), handler: handlerOf(handler, 'cronAdd') }; }
  function cronRemoveEntry(id) { return { kind: 'cronRemove', name: String(id) }; }
  G.routerAdd = function routerAdd(method, path, handler) { keep('route', routeEntry, arguments); };
  G.routerUse = function routerUse() { keep('use', useEntry, arguments); };
  G.cronAdd = function cronAdd(id, expr, handler) { keep('cron', cronEntry, arguments); };
  G.cronRemove = function cronRemove(id) { keep('cronRemove', cronRemoveEntry, arguments); };
  const HOOKS = ['onBootstrap', 'onServe', 'onTerminate', 'onBackupCreate', 'onBackupRestore', 'onRecordEnrich',
    'onSettingsReload', 'onMailerSend', 'onRealtimeConnectRequest', 'onRealtimeSubscribeRequest',
    'onRealtimeMessageSend', 'onRecordsListRequest', 'onRecordViewRequest', 'onRecordAuthRequest',
    'onBatchRequest', 'onFileDownloadRequest', 'onFileTokenRequest', 'onCollectionsListRequest',
    'onCollectionViewRequest', 'onCollectionsImportRequest', 'onSettingsListRequest', 'onSettingsUpdateRequest'];
  for (const model of ['Model', 'Record', 'Collection']) {
    HOOKS.push('on' + model + 'Validate');
    for (const op of ['Create', 'Update', 'Delete']) {
      HOOKS.push('on' + model + op, 'on' + model + op + 'Execute', 'on' + model + 'After' + op + 'Success',
        'on' + model + 'After' + op + 'Error');
      if (model !== 'Model') HOOKS.push('on' + model + op + 'Request');
    }
  }
  for (const name of ['AuthWithPassword', 'AuthWithOAuth2', 'AuthRefresh', 'RequestPasswordReset',
    'ConfirmPasswordReset', 'RequestVerification', 'ConfirmVerification', 'RequestEmailChange', 'ConfirmEmailChange',
    'RequestOTP', 'AuthWithOTP']) HOOKS.push('onRecord' + name + 'Request');
  for (const name of ['AuthAlert', 'PasswordReset', 'Verification', 'EmailChange', 'OTP']) HOOKS.push('onMailerRecord' + name + 'Send');
  for (const name of HOOKS) {
    const make = (handler, ...filters) => ({ kind: 'hook', name, handler: handlerOf(handler, name), filters: filters.map(String) });
    G[name] = function (handler) { keep('hook', make, arguments); };
  }

  // -- one hook request -------------------------------------------------------------------------------
  function describe(entry) {
    const out = { kind: entry.kind, index: entry.index };
    for (const key of ['name', 'method', 'path', 'filters']) if (entry[key] !== undefined) out[key] = entry[key];
    if (entry.mws) {
      out.mws = entry.mws.map((m) => {
        const spec = SPECS.get(m);
        return { priority: m.priority, id: m.id, builtin: spec ? spec[0] : '', args: spec ? spec[1] : [] };
      });
    }
    return out;
  }
  function load(st, file) {
    const h = st.hook;
    if (h.found[file]) return h.found[file];
    h.file = file;
    try {
      R.requireFile(file);
    } finally {
      h.file = null;
    }
    return h.found[file] || [];
  }
  function entryAt(st, ref) {
    const list = load(st, ref[0]);
    let entry;
    if (!st.hook.lazy) {
      entry = list[ref[1]];
    } else {  // [maker, arguments] pairs (keep); an entry once made is kept in list.made for the request
      const made = list.made || (list.made = []);
      entry = made[ref[1]];
      const at = 2 * ref[1];
      if (entry === undefined && at < list.length) {
        entry = made[ref[1]] = list[at].apply(undefined, list[at + 1]);
        entry.index = ref[1];
      }
    }
    if (!entry) throw new Error('pagesvm: ' + ref[0] + ' registered differently than at start-up');
    return entry;
  }
  // PocketBase's BootstrapEvent/ServeEvent: e.app and e.next(); every handler must call e.next() for the
  // next one (and the server's own start) to run, or start-up fails, as the binary cannot start without it.
  function startupEvent(st, name, refs) {
    if (!refs.length) return;
    let reached = false;
    const chain = refs.map((ref) => ({ func: entryAt(st, ref).handler }));
    const e = { app: G.$app };
    R.runChain(e, chain, () => { reached = true; });
    if (!reached) throw new Error(name + ': a handler did not call e.next(), so the server cannot start');
  }
  // A registration's entry, its file run in this request if not yet (record_hooks.js, in any request).
  R.hookEntry = function (ref) {
    const st = R.state;
    if (st.hook === undefined) st.hook = { file: null, found: {}, lazy: true };
    return entryAt(st, ref);
  };
  R.runHook = function (st) {
    const spec = st.route.hook;
    st.hook = { file: null, found: {}, lazy: !spec.learn };
    if (spec.install) {  // start-up, after learning: the record hooks' table (runtime/hooks/learn.py)
      R.installRecordHooks(spec.install);
      st.response.body = '[]';
      return;
    }
    if (spec.seedStore) {  // start-up: app.store() as the migrations left it (runtime/hooks/learn.py)
      const store = G.$app.store();
      for (const key of Object.keys(spec.seedStore)) store.set(key, spec.seedStore[key]);
      st.response.body = '';
      return;
    }
    if (spec.learn) {
      const list = load(st, st.route.page);
      st.response.body = JSON.stringify(list.map(describe));
      return;
    }
    if (spec.cron) {  // one run of a cronAdd job: what it throws is the result's error (file and line)
      entryAt(st, spec.cron).handler();
      st.response.body = '';
      return;
    }
    if (spec.realtime) {  // a realtime hook's chain, or a record event onRecordEnrich concerns (realtime_hooks.js)
      R.runRealtime(st, spec.realtime);
      return;
    }
    if (spec.api) {  // a call of the REST API that request hooks concern (api_hooks.js)
      R.runApi(st);
      return;
    }
    if (spec.startup) {  // onBootstrap, then onServe: once per server start (runtime/http/hook_jobs.py)
      for (const name of ['onBootstrap', 'onServe']) startupEvent(st, name, spec.startup[name] || []);
      st.response.body = '';
      return;
    }
    const e = R.hookEvent(st, spec);
    const page = { error: undefined };
    try {
      const chain = [];
      const uses = spec.uses;
      for (let k = 0; k <= uses.length; k++) {
        if (k === spec.pages) chain.push(new Middleware(spec.file ? serveFile : (ev) => renderPage(st, ev, page), 0, ''));
        if (k < uses.length) for (const m of entryAt(st, uses[k]).mws) bind(chain, m);
      }
      let final;
      if (spec.route) {
        const route = entryAt(st, spec.route);
        for (const m of route.mws) bind(chain, m);
        final = route.handler;
      } else if (spec.file) {
        final = serveFile;  // a pb_public file: PocketBase's route after every middleware
      } else if (spec.pages != null) {
        final = () => undefined;  // PocketPages answered (its step never calls e.next())
      } else {
        final = () => { throw new E.ApiError(404, spec.notFound); };
      }
      chain.sort((a, b) => a.priority - b.priority);  // stable: registration order among equals
      R.runChain(e, chain, final);
    } catch (err) {
      R.hookFailed(st, err);
    }
    // A page that failed is answered as pages fail (render.js reports it), never as a hook's JSON error.
    if (page.error !== undefined) throw page.error;
  };
  // PocketBase's hook.Bind: a middleware with the id of one already in the chain takes its place (a route's
  // $apis.bodyLimit replaces routerUse's, its requireAuth(...) the global one); an empty id is always added.
  function bind(chain, m) {
    const id = m.id;
    if (id !== '' && id != null) {
      for (let i = 0; i < chain.length; i++) {
        if (chain[i].id === id) {
          chain[i] = m;
          return;
        }
      }
    }
    chain.push(m);
  }
  // PocketPages' step: the page renders inside the chain. A record a middleware put in e.auth is the
  // page's signed-in user (PocketPages reads e.auth first); otherwise the page's own sign-in stands.
  function renderPage(st, e, page) {
    const auth = e.pvReplaced() ? e.auth : null;
    if (auth instanceof G.Record) st.auth = st.request.auth = st.api.auth = auth;
    try {
      R.renderPage(st);
    } catch (err) {
      page.error = err;
    }
    st.response.done = true;
  }
  // A file Python holds (runtime/http/hook_routes.py) is sent, with the headers the middlewares set.
  function serveFile(e) { e.blob(200, 'application/x-pagesvm-file', ''); }
})(globalThis);
