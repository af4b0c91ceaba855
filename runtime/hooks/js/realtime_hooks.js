// The realtime hooks (runtime/http/realtime_hooks.py): onRealtimeConnectRequest, onRealtimeSubscribeRequest and
// onRealtimeMessageSend, run in a Job of their own (R.runHook hands spec.realtime here). The chain's last
// e.next() crosses to Python (pv_step.run), which opens the stream, sets the subscriptions or writes the
// messages; a chain that never reaches it refuses (connect, subscribe) or drops the message. A record event
// that onRecordEnrich concerns is delivered inside such a Job too ("deliver"), so the hook can run there.
(function (G) {
  'use strict';
  const R = G.__pv;

  // Go's time.Duration as the JSVM shows it: String() is Go's text ("5m0s"), its number the nanoseconds.
  function goDuration(ns) {
    const text = () => {
      let s = ns / 1e9;
      if (s === 0) return '0s';
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      s = Math.round((s % 60) * 1e9) / 1e9;
      return (h ? h + 'h' : '') + (h || m ? m + 'm' : '') + s + 's';
    };
    return { valueOf: () => ns, toString: text, toJSON: () => ns };
  }

  function chain(refs) { return refs.map((ref) => R.hookEntry(ref).handler); }

  function run(list, e, last) {
    let i = 0;
    R.setNext(e, function next() {
      if (i < list.length) return list[i++](e);
      if (i++ === list.length) return last(e);
      return undefined;
    });
    e.next();
  }

  function authOf(a) {
    let auth;
    return () => {
      if (auth === undefined) auth = a ? G.$app.findRecordById(a.collectionId, a.id) : null;
      return auth;
    };
  }

  const kinds = {
    connect(st, a) {
      let idle = a.idle * 1e9, reached = false;
      const auth = authOf(a.auth);
      const e = { app: G.$app, client: R.realtimeClient(a.client), get auth() { return auth(); },
        get idleTimeout() { return goDuration(idle); }, set idleTimeout(v) { idle = Number(v) || 0; } };
      run(chain(a.refs), e, () => { reached = true; R.py('pv_step.run', [idle / 1e9]); });
      st.response.status = 200;
      st.response.body = reached ? 'open' : '';
    },
    subscribe(st, a) {
      const auth = authOf(a.auth);
      const e = { app: G.$app, client: R.realtimeClient(a.client), subscriptions: a.subscriptions,
        get auth() { return auth(); }, hasSuperuserAuth: () => !!a.superuser };
      let reached = false;
      run(chain(a.refs), e, (ev) => {
        reached = true;
        R.py('pv_step.run', [Array.from(ev.subscriptions || [], String)]);
      });
      st.response.status = reached ? 204 : 200;
      st.response.body = '';
    },
    // Every message waiting for its client, in order: [client, name, data]; answers [name, data] | null (not
    // sent) | false (the hook failed: PocketBase ends that client's connection) for each.
    messages(st, a) {
      const list = chain(a.refs);
      const out = [];
      for (const [info, name, data] of a.items) {
        let sent = null;
        const e = { app: G.$app, client: R.realtimeClient(info),
          message: new G.SubscriptionMessage({ name, data: G.toBytes(data) }) };
        try {
          run(list, e, (ev) => { sent = [String(ev.message.name), G.toString(ev.message.data)]; });
        } catch (err) {
          G.console.error('onRealtimeMessageSend hook failed: ' + (err instanceof Error ? String(err.message) : R.stringify(err)));
          sent = false;
        }
        out.push(sent);
      }
      R.py('pv_step.run', [out]);
      st.response.body = '';
    },
    deliver(st) {
      R.py('pv_step.run', []);
      st.response.body = '';
    },
  };

  R.runRealtime = function (st, spec) {
    try {
      kinds[spec.kind](st, spec);
    } catch (err) {
      R.hookFailed(st, err);
    }
    st.response.done = true;
  };
})(globalThis);
