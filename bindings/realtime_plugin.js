// `realtime` in the context API: what pocketpages-plugin-realtime adds, over `$app.subscriptionsBroker()`
// (bindings/realtime_api.js). The object holds no request state, so one frozen object serves every request.
(function (G) {
  'use strict';
  const R = G.__pv;

  // Who hears a message when the caller gives no filter: the clients subscribed to its topic.
  const subscribed = (clientId, client, topic) => client.hasSubscription(topic);

  const realtime = Object.freeze({
    // The client with this id on this worker, or undefined (the broker's clientById throws instead).
    getClientById(clientId) {
      try {
        return G.$app.subscriptionsBroker().clientById(clientId);
      } catch (e) {
        if (e && /no client associated/.test(String(e.message))) return undefined;
        throw e;
      }
    },
    // One SubscriptionMessage {name: topic, data: message}, sent to each client the filter keeps:
    // filter(clientId, client, topic, message), by default "subscribed to topic".
    send(topic, message, options) {
      const filter = options && typeof options.filter === 'function' ? options.filter : subscribed;
      const payload = new G.SubscriptionMessage({ name: topic, data: message });
      const clients = G.$app.subscriptionsBroker().clients();
      for (const clientId of Object.keys(clients)) {
        const client = clients[clientId];
        if (filter(clientId, client, topic, message)) client.send(payload);
      }
    },
  });

  R.realtimePlugin = realtime;  // datastar.realtime.* sends through it (bindings/datastar.js)
  R.shared.push(realtime);
  R.family(['realtime'], { realtime });
})(globalThis);
