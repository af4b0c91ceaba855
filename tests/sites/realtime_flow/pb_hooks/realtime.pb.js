/// <reference path="../pb_data/types.d.ts" />
// A custom realtime topic, published the way pocketpages-plugin-realtime does: every client subscribed to the
// topic is sent the message. Answers how many clients it reached.
routerAdd("POST", "/api/flow/shout", (e) => {
  const body = e.requestInfo().body;
  const topic = String(body.topic || "shouts");
  const message = new SubscriptionMessage({ name: topic, data: JSON.stringify({ text: body.text || "" }) });
  const clients = $app.subscriptionsBroker().clients();
  let sent = 0;
  for (const id in clients) {
    if (clients[id].hasSubscription(topic)) {
      clients[id].send(message);
      sent++;
    }
  }
  return e.json(200, { sent });
});
