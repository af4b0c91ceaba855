// `$app.subscriptionsBroker()` and `SubscriptionMessage` (bindings/realtime_api.py holds the clients): PocketBase's
// subscriptions.Broker and Client as the JSVM shows them. `clients()` is a map id -> client made from one snapshot;
// `hasSubscription`/`subscriptions` read it, everything else is a crossing. `send` queues the message for the
// client; it leaves once this evaluation is over.
(function (G) {
  'use strict';
  const R = G.__pv;
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

  // Go's []byte from a JS value: a string as is, an array of byte values decoded; anything else as JSON.
  function text(data) {
    if (data === undefined || data === null) return '';
    if (typeof data === 'string') return data;
    if (Array.isArray(data) || data instanceof Uint8Array) {
      let out = '';
      for (const b of data) out += String.fromCharCode(b & 255);
      try { return decodeURIComponent(escape(out)); } catch (e) { return out; }
    }
    return JSON.stringify(data);
  }

  class SubscriptionMessage {
    constructor(options) {
      options = options !== null && typeof options === 'object' ? options : {};
      this.name = options.name === undefined || options.name === null ? '' : String(options.name);
      this.data = options.data === undefined ? '' : options.data;
    }
  }

  function client(info) {
    let subs = info.subscriptions || {};
    const id = info.id;
    const call = (name, args) => R.py('pv_realtime.' + name, [id].concat(args));
    return Object.freeze({
      id: () => id,
      channel: () => undefined,
      hasSubscription: (topic) => own(subs, String(topic)),
      subscriptions(...prefixes) {
        const out = {};
        for (const topic of Object.keys(subs)) {
          if (!prefixes.length || prefixes.some((p) => (topic + '?').startsWith(String(p)))) out[topic] = subs[topic];
        }
        return out;
      },
      subscribe(...topics) { subs = call('subscribe', [topics.map(String), true]); },
      unsubscribe(...topics) { subs = call('subscribe', [topics.map(String), false]); },
      send(message) {
        if (message === null || typeof message !== 'object') throw R.goError('realtime: send needs a SubscriptionMessage');
        call('send', [String(message.name === undefined || message.name === null ? '' : message.name), text(message.data)]);
      },
      get: (key) => (String(key) === 'auth' ? info.auth : call('get', [String(key)])),
      set: (key, value) => { call('set', [String(key), value === undefined ? null : value]); },
      unset: (key) => { call('unset', [String(key)]); },
      discard: () => { R.py('pv_realtime.unregister', [id]); },
      isDiscarded: () => R.py('pv_realtime.discarded', [id]),
    });
  }

  R.realtimeClient = client;  // runtime/hooks/js/realtime_hooks.js: e.client of the realtime hooks

  const broker = Object.freeze({
    clients() {
      const out = {};
      for (const info of R.py('pv_realtime.clients', [])) out[info.id] = client(info);
      return out;
    },
    chunkedClients(size) {
      const all = Object.values(this.clients());
      const n = Math.max(1, Number(size) || 1);
      const out = [];
      for (let i = 0; i < all.length; i += n) out.push(all.slice(i, i + n));
      return out;
    },
    totalClients: () => R.py('pv_realtime.total', []),
    clientById(clientId) {
      const info = R.py('pv_realtime.client', [String(clientId)]);
      if (!info) throw R.goError('no client associated with connection ID "' + clientId + '"');
      return client(info);
    },
    register() { throw new Error('pagesvm: registering a realtime client from JavaScript is not supported'); },
    unregister(clientId) { R.py('pv_realtime.unregister', [String(clientId)]); },
  });

  G.SubscriptionMessage = SubscriptionMessage;
  if (G.$app) G.$app.subscriptionsBroker = () => broker;
  R.shared.push(SubscriptionMessage);
})(globalThis);
