// `pb()`: the PocketBase JS SDK's surface, synchronous, as pocketpages-plugin-js-sdk gives it to pages, and the
// auth plugin's helpers on top of it. Every SDK call is one crossing (pv_pb.send, bindings/pb_client.py) answered
// by runtime/api in-process; everything else (query strings, the auth store, file URLs, filter()) is plain
// JavaScript here.
//
// Clients belong to the request that made them: each remembers its request state and refuses to send from any
// other, so a client (and its token) kept somewhere by page code is dead in the next request. Clients are cached
// per request only (the plugin's cache across requests would hand one visitor's client to the next). The classes
// behind the values page code gets are frozen by lockdown.js (R.shared).
(function (G) {
  'use strict';
  const R = G.__pv;
  const SESSION = true;  // pv_pb.send's `auth` for "the request's own sign-in"
  const NOT_FOUND = "The requested resource wasn't found.";
  const SUPERUSERS = '_superusers', SUPERUSERS_ID = 'pbc_3142635823';
  const isObject = (v) => v !== null && typeof v === 'object';
  // Option keys the SDK keeps for itself; any other key of an options object is a query parameter.
  const NOT_QUERY = new Set(['headers', 'body', 'query', 'requestKey', '$autoCancel', '$cancelKey', 'fetch', 'method',
    'params', 'cache', 'credentials', 'mode', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive', 'signal', 'window']);

  class ClientResponseError extends Error {
    constructor(errData) {
      super('ClientResponseError');
      const e = isObject(errData) ? errData : {};
      this.url = typeof e.url === 'string' ? e.url : '';
      this.status = typeof e.status === 'number' ? e.status : 0;
      this.isAbort = !!e.isAbort;
      this.originalError = e.originalError;
      this.response = isObject(e.response) ? e.response : isObject(e.data) ? e.data : {};
      this.name = 'ClientResponseError ' + this.status;
      this.message = (this.response && this.response.message) || 'Something went wrong.';
    }
    get data() { return this.response; }
    toJSON() { return Object.assign({}, this); }
  }

  // -- plain helpers ------------------------------------------------------------------------------------------
  function queryString(params) {
    const parts = [];
    for (const key of Object.keys(params)) {
      const value = params[key];
      if (value === undefined || value === null) continue;
      const k = encodeURIComponent(key);
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item === undefined || item === null) continue;
        const text = item instanceof Date ? item.toISOString() : isObject(item) ? JSON.stringify(item) : String(item);
        parts.push(k + '=' + encodeURIComponent(text));
      }
    }
    return parts.join('&');
  }
  // An SDK options object split into what is sent: method, query, body, headers.
  function normalise(options, method) {
    const o = Object.assign({ method }, options);
    const query = Object.assign({}, o.query);
    for (const key of Object.keys(o)) if (!NOT_QUERY.has(key)) query[key] = o[key];
    return { method: String(o.method || method).toUpperCase(), query, body: o.body, headers: o.headers };
  }
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  function tokenPayload(token) {
    const part = typeof token === 'string' ? token.split('.')[1] : undefined;
    if (!part) return {};
    let bits = 0, acc = 0, bytes = '';
    for (const ch of part.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')) {
      const v = B64.indexOf(ch);
      if (v < 0) return {};
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) { bits -= 8; bytes += '%' + ((acc >> bits) & 255).toString(16).padStart(2, '0'); }
    }
    try {
      const value = JSON.parse(decodeURIComponent(bytes));
      return isObject(value) ? value : {};
    } catch (e) {
      return {};
    }
  }
  function expired(token) {
    const payload = tokenPayload(token);
    return !(Object.keys(payload).length > 0 && (!payload.exp || payload.exp > Date.now() / 1000));
  }
  // The SDK's client.filter(): {:name} placeholders replaced by quoted, escaped values.
  function filter(raw, params) {
    if (!params) return raw;
    for (const key of Object.keys(params)) {
      let v = params[key];
      if (typeof v === 'boolean' || typeof v === 'number') v = '' + v;
      else if (typeof v === 'string') v = "'" + v.replace(/'/g, "\\'") + "'";
      else if (v === null || v === undefined) v = 'null';
      else if (v instanceof Date) v = "'" + v.toISOString().replace('T', ' ') + "'";
      else v = "'" + JSON.stringify(v).replace(/'/g, "\\'") + "'";
      raw = raw.replaceAll('{:' + key + '}', v);
    }
    return raw;
  }

  // -- the auth store -----------------------------------------------------------------------------------------
  // `token` may be SESSION until read: the request's own token stays in Python until page code asks for it.
  // Returns [store, header]: header() is what send() puts in the Authorization header (never on the store).
  function makeAuthStore(live, token, record) {
    let callbacks = [];
    const store = {
      get token() { live(); if (token === SESSION) token = R.py('pv_pb.session', []); return token || ''; },
      get record() { live(); return record; },
      get model() { return store.record; },
      get isValid() { live(); return token === SESSION || !expired(store.token); },
      get isSuperuser() {
        live();
        const claims = token === SESSION ? {} : tokenPayload(token);
        if (record && record.collectionName) return record.collectionName === SUPERUSERS;
        return claims.type === 'auth' && claims.collectionId === SUPERUSERS_ID;
      },
      get isAdmin() { return store.isSuperuser; },
      get isAuthRecord() { return !!record && !store.isSuperuser; },
      save(newToken, newRecord) {
        live();
        token = typeof newToken === 'string' ? newToken : '';
        record = isObject(newRecord) ? newRecord : null;
        for (const cb of callbacks) cb(token, record);
      },
      clear() { store.save('', null); },
      onChange(callback, fireImmediately) {
        callbacks.push(callback);
        if (fireImmediately) callback(store.token, record);
        return () => { callbacks = callbacks.filter((cb) => cb !== callback); };
      },
    };
    return [store, () => (token === SESSION ? SESSION : token || null)];
  }
  // A client (and its auth store) works only in the request that made it: kept in `$app.store()` and used in a
  // later request, it would send its token on that request's behalf, or show it there.
  function liveIn(st) {
    return () => { if (R.state !== st) throw new Error('pagesvm: a pb() client belongs to the request that made it'); };
  }

  // -- the client ---------------------------------------------------------------------------------------------
  function makeClient(st, token, record) {
    const live = liveIn(st);
    const [authStore, authHeader] = makeAuthStore(live, token, record);
    const services = new Map();
    const client = {
      baseURL: '', lang: 'en-US', authStore,
      get baseUrl() { return client.baseURL; },
      buildURL(path) { return '/' + String(path || '').replace(/^\/+/, ''); },
      buildUrl(path) { return client.buildURL(path); },
      filter,
      autoCancellation() { return client; },
      cancelRequest() { return client; },
      cancelAllRequests() { return client; },
      // One SDK call: the answer's JSON value, or a ClientResponseError thrown.
      send(path, options) {
        live();
        const o = normalise(options, 'GET');
        const url = client.buildURL(path);
        const query = queryString(o.query);
        const [status, type, text] = R.py('pv_pb.send', [o.method, url, query, authHeader(),
          isObject(o.body) ? JSON.parse(JSON.stringify(o.body)) : null, isObject(o.headers) ? o.headers : null]);
        let data = {};
        if (text && /json/i.test(type)) {
          try { data = JSON.parse(text); } catch (e) { data = {}; }
        } else if (text) {
          data = text;
        }
        if (status >= 400) {
          throw new ClientResponseError({ url: query ? url + '?' + query : url, status, response: isObject(data) ? data : {} });
        }
        return data;
      },
      collection(name) {
        name = String(name);
        let service = services.get(name);
        if (!service) services.set(name, service = recordService(client, name));
        return service;
      },
      health: { check(options) { return client.send('/api/health', options); } },
      files: {
        getURL(rec, filename, queryParams) {
          if (!filename || !isObject(rec) || !rec.id || !(rec.collectionId || rec.collectionName)) return '';
          const q = Object.assign({}, queryParams);
          if (q.download === false) delete q.download;
          const url = client.buildURL(['api', 'files', encodeURIComponent(rec.collectionId || rec.collectionName),
            encodeURIComponent(rec.id), encodeURIComponent(filename)].join('/'));
          const search = queryString(q);
          return search ? url + '?' + search : url;
        },
        getUrl(rec, filename, queryParams) { return client.files.getURL(rec, filename, queryParams); },
        getToken(options) { return client.send('/api/files/token', normalise(options, 'POST')).token || ''; },
      },
    };
    return client;
  }

  function recordService(client, name) {
    const base = '/api/collections/' + encodeURIComponent(name);
    const crud = base + '/records';
    const store = client.authStore;
    const call = (path, options, method, body) => {
      const o = Object.assign({ method }, options);
      if (body !== undefined) o.body = Object.assign({}, body, o.body);
      return client.send(path, o);
    };
    const sameRecord = (rec, id) => !!rec && rec.id === id && (rec.collectionId === name || rec.collectionName === name);
    const authResponse = (data) => {
      const record = isObject(data.record) ? data.record : {};
      store.save(data.token, record);
      return Object.assign({}, data, { token: data.token || '', record });
    };
    const service = {
      collectionIdOrName: name,
      getList(page, perPage, options) {
        const o = Object.assign({}, options);
        o.query = Object.assign({ page: page === undefined ? 1 : page, perPage: perPage === undefined ? 30 : perPage }, o.query);
        return call(crud, o, 'GET');
      },
      getFullList(batchOrOptions, options) {
        let batch = 1000;
        let o;
        if (typeof batchOrOptions === 'number') {
          batch = batchOrOptions;
          o = Object.assign({}, options);
        } else {
          o = Object.assign({}, batchOrOptions, options);
          if (o.batch) { batch = o.batch; delete o.batch; }
        }
        o = Object.assign({ skipTotal: true }, o);
        let result = [];
        for (let page = 1; ; page++) {
          const list = service.getList(page, batch || 500, o);
          result = result.concat(list.items);
          if (list.items.length !== list.perPage) return result;
        }
      },
      getFirstListItem(filterText, options) {
        const o = Object.assign({}, options);
        o.query = Object.assign({ filter: filterText, skipTotal: 1 }, o.query);
        const list = service.getList(1, 1, o);
        if (!list || !list.items || !list.items.length) {
          throw new ClientResponseError({ status: 404, response: { code: 404, message: NOT_FOUND, data: {} } });
        }
        return list.items[0];
      },
      getOne(id, options) {
        if (!id) {
          throw new ClientResponseError({ url: client.buildURL(crud + '/'), status: 404,
            response: { code: 404, message: 'Missing required record id.', data: {} } });
        }
        return call(crud + '/' + encodeURIComponent(id), options, 'GET');
      },
      create(bodyParams, options) { return call(crud, options, 'POST', bodyParams); },
      update(id, bodyParams, options) {
        const item = call(crud + '/' + encodeURIComponent(id), options, 'PATCH', bodyParams);
        if (isObject(item) && sameRecord(store.record, item.id)) {
          const merged = Object.assign({}, store.record, item);
          merged.expand = Object.assign({}, store.record.expand, item.expand);
          store.save(store.token, merged);
        }
        return item;
      },
      delete(id, options) {
        call(crud + '/' + encodeURIComponent(id), options, 'DELETE');
        if (sameRecord(store.record, id)) store.clear();
        return true;
      },
      listAuthMethods(options) { return call(base + '/auth-methods', Object.assign({ fields: 'mfa,otp,password,oauth2' }, options), 'GET'); },
      authWithPassword(identity, password, options) {
        return authResponse(call(base + '/auth-with-password', options, 'POST', { identity, password }));
      },
      authRefresh(options) { return authResponse(call(base + '/auth-refresh', options, 'POST')); },
      authWithOTP(otpId, password, options) { return authResponse(call(base + '/auth-with-otp', options, 'POST', { otpId, password })); },
      authWithOAuth2Code(provider, code, codeVerifier, redirectURL, createData, options) {
        return authResponse(call(base + '/auth-with-oauth2', options, 'POST', { provider, code, codeVerifier, redirectURL, createData }));
      },
      requestOTP(email, options) { return call(base + '/request-otp', options, 'POST', { email }); },
      requestPasswordReset(email, options) { call(base + '/request-password-reset', options, 'POST', { email }); return true; },
      confirmPasswordReset(token, password, passwordConfirm, options) {
        call(base + '/confirm-password-reset', options, 'POST', { token, password, passwordConfirm });
        return true;
      },
      requestVerification(email, options) { call(base + '/request-verification', options, 'POST', { email }); return true; },
      confirmVerification(token, options) {
        call(base + '/confirm-verification', options, 'POST', { token });
        const claims = tokenPayload(token);
        const rec = store.record;
        if (rec && !rec.verified && rec.id === claims.id && rec.collectionId === claims.collectionId) {
          store.save(store.token, Object.assign({}, rec, { verified: true }));
        }
        return true;
      },
      requestEmailChange(newEmail, options) { call(base + '/request-email-change', options, 'POST', { newEmail }); return true; },
      confirmEmailChange(token, password, options) {
        call(base + '/confirm-email-change', options, 'POST', { token, password });
        const claims = tokenPayload(token);
        const rec = store.record;
        if (rec && rec.id === claims.id && rec.collectionId === claims.collectionId) store.clear();
        return true;
      },
    };
    return service;
  }

  // pb(), pb({request}), pb({auth: request.auth}): one client of each kind per request.
  function pb(options) {
    const st = R.state;
    if (!st) throw new Error('pagesvm: pb() belongs to a request');
    const o = isObject(options) ? options : {};
    let auth = o.auth !== undefined ? o.auth : o.request !== undefined && isObject(o.request) ? o.request.auth : undefined;
    if (auth !== undefined && auth !== null && auth !== st.auth) {
      throw new Error('pagesvm: pb({auth}) takes only the signed-in record of this request (request.auth)');
    }
    const signedIn = !!auth;
    const clients = st.pbClients || (st.pbClients = new Map());
    let client = clients.get(signedIn);
    if (!client) {
      client = makeClient(st, signedIn ? SESSION : '', signedIn ? auth.toJSON() : null);
      clients.set(signedIn, client);
    }
    return client;
  }

  // -- the auth plugin ----------------------------------------------------------------------------------------
  // Shared by every request (lockdown.js freezes them): each reads the current request's API object, so a page
  // that replaced `signIn` or `signInWithPassword` there gets its own version called, as with PocketPages.
  const api = () => R.state.api;
  const text = (v) => (v === undefined || v === null ? '' : String(v));
  const collectionOf = (options) => (isObject(options) && options.collection) || 'users';
  // A client of its own per call, signed out: what an authWith* call saves never signs the page's pb() in.
  const users = (options) => makeClient(R.state, '', null).collection(collectionOf(options));
  // The built-in signIn (bindings/auth.py) checks the token and sets the pb_auth cookie.
  const signInWith = (authData) => { api().signIn({ token: authData.token, record: authData.record }); return authData; };
  const random = (n) => G.$security.randomStringWithAlphabet(n, '123456789');
  const PLUGIN = {
    createUser(email, password, options) {
      if (!text(email).trim()) throw new Error('Email is required');
      if (!text(password).trim()) throw new Error('Password is required');
      const user = users(options).create({ email, password, passwordConfirm: password });
      if (!isObject(options) || options.sendVerificationEmail === undefined || options.sendVerificationEmail) {
        api().requestVerification(email, options);
      }
      return user;
    },
    createPasswordlessUser(email, options) {
      const password = random(40);
      return { password, user: api().createUser(email, password, options) };
    },
    createAnonymousUser(options) {
      const email = 'anonymous-' + random(10) + '@example.com';
      return Object.assign({ email }, api().createPasswordlessUser(email, Object.assign({}, options, { sendVerificationEmail: false })));
    },
    signInAnonymously(options) {
      const made = api().createAnonymousUser(options);
      return api().signInWithPassword(made.email, made.password, options);
    },
    requestVerification(email, options) { users(options).requestVerification(email); },
    confirmVerification(token, options) { users(options).confirmVerification(token); },
    requestOTP(email, options) {
      try {
        api().createPasswordlessUser(email, Object.assign({ sendVerificationEmail: false }, options));
      } catch (e) { /* most likely there already */ }
      return users(options).requestOTP(email);
    },
    signInWithOTP(otpId, password, options) { return signInWith(users(options).authWithOTP(otpId, text(password))); },
    requestOAuth2Login(providerName, options) {
      const o = isObject(options) ? options : {};
      const methods = users(o).listAuthMethods();
      const provider = ((methods.oauth2 || {}).providers || []).find((p) => p.name === providerName);
      if (!provider) throw new Error('Provider ' + providerName + ' not found');
      const redirectUrl = G.$app.settings().meta.appURL + (o.redirectPath || '/auth/oauth/confirm');
      const authUrl = provider.authURL + redirectUrl;
      api().response.cookie(o.cookieName || 'pp_oauth_state', JSON.stringify({ name: provider.name, state: provider.state,
        codeChallenge: provider.codeChallenge, codeVerifier: provider.codeVerifier, redirectUrl }));
      // the provider is another site by design: the one redirect the plugin makes off-site
      if (o.autoRedirect === undefined || o.autoRedirect) api().redirect(authUrl, { external: true });
      return authUrl;
    },
    signInWithOAuth2(state, code, options, stored) {
      const o = isObject(options) ? options : {};
      const provider = stored || api().request.cookies(o.cookieName || 'pp_oauth_state');
      if (!isObject(provider)) throw new Error('No stored provider info found');
      if (provider.state !== state) throw new Error("State parameters don't match.");
      return signInWith(users(o).authWithOAuth2Code(provider.name, code, provider.codeVerifier, provider.redirectUrl,
        { emailVisibility: false }));
    },
  };
  PLUGIN.createPaswordlessUser = PLUGIN.createPasswordlessUser;  // the plugin's own spelling

  const NAMES = ['pb'].concat(Object.keys(PLUGIN));
  R.family(NAMES, Object.assign({ pb }, PLUGIN));
  R.shared.push(ClientResponseError);
})(globalThis);
