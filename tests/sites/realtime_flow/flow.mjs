// One fixed realtime flow of the official PocketBase JS SDK against a server, printed as a JSON transcript.
//
//   node flow.mjs BASE_URL SDK_NODE_MODULES EVENTSOURCE_NODE_MODULES
//
// The server (the real PocketBase or `pagesvm serve`) runs this folder's pb_migrations and pb_hooks. Node has no
// EventSource, which the SDK's realtime needs: the `eventsource` npm package stands in (installed by the test
// into its cache). Every step is {step, ok, data} (or an error), in order; what each subscription received is
// recorded as it arrived, and "nothing" is what arrived in a fixed quiet period.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [base, sdkModules, esModules] = process.argv.slice(2);
const load = async (modules, name) =>
  import(pathToFileURL(createRequire(join(modules, "noop.js")).resolve(name)).href);
const { default: PocketBase } = await load(sdkModules, "pocketbase");
const { EventSource } = await load(esModules, "eventsource");
globalThis.EventSource = EventSource;

const steps = [];
const QUIET = 400; // ms in which nothing may arrive
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function client() {
  const pb = new PocketBase(base);
  pb.autoCancellation(false);
  return pb;
}

async function step(name, call) {
  try {
    const value = await call();
    steps.push({ step: name, ok: true, data: value ?? null });
    return value;
  } catch (err) {
    const body = err?.response || {};
    steps.push({ step: name, ok: false, error: { status: err?.status ?? null, message: body.message ?? String(err?.message ?? err), data: body.data ?? null } });
    return null;
  }
}

// A subscription's inbox: every event it received, taken by `take(n)` (waiting up to 5 s for n of them).
function inbox() {
  const got = [];
  return {
    push: (e) => got.push(e),
    async take(n) {
      for (let waited = 0; got.length < n && waited < 5000; waited += 20) await sleep(20);
      return got.splice(0, got.length);
    },
    async quiet() {
      await sleep(QUIET);
      return got.splice(0, got.length);
    },
  };
}

const guest = client();
const ann = client();
const bob = client();
const password = "secret-password-1";
for (const [pb, name] of [[ann, "ann"], [bob, "bob"]]) {
  await step(`users.create ${name}`, () =>
    pb.collection("users").create({ email: `${name}@example.com`, password, passwordConfirm: password, name }));
  await step(`auth ${name}`, async () => (await pb.collection("users").authWithPassword(`${name}@example.com`, password)).record.name);
}

const posts = inbox();
const unsubscribePosts = await step("guest subscribes posts/*", () => guest.collection("posts").subscribe("*", posts.push));
const picked = inbox();
await step("guest subscribes posts/* with filter and fields", () =>
  guest.collection("posts").subscribe("*", picked.push, { filter: "views > 5", fields: "id,title,views" }));
const created = await step("posts.create", () => guest.collection("posts").create({ title: "hello", secret: "s", views: 1 }));
await step("posts/* got the create", () => posts.take(1));
await step("the filtered subscription got nothing", () => picked.quiet());
const one = inbox();
await step("guest subscribes posts/ID", () => guest.collection("posts").subscribe(created.id, one.push));
await step("posts.update", async () => (await guest.collection("posts").update(created.id, { title: "hello again", views: 9 })).title);
await step("posts/* got the update", () => posts.take(1));
await step("posts/ID got the update", () => one.take(1));
await step("the filtered subscription got the update, picked", () => picked.take(1));
await step("posts.delete", () => guest.collection("posts").delete(created.id));
await step("posts/* got the delete", () => posts.take(1));
await step("posts/ID got the delete", () => one.take(1));

const annNotes = inbox();
const bobNotes = inbox();
const guestNotes = inbox();
await step("ann subscribes notes/*", () => ann.collection("notes").subscribe("*", annNotes.push));
await step("bob subscribes notes/*", () => bob.collection("notes").subscribe("*", bobNotes.push));
await step("guest subscribes notes/*", () => guest.collection("notes").subscribe("*", guestNotes.push));
const note = await step("notes.create as ann", () =>
  ann.collection("notes").create({ text: "mine", owner: ann.authStore.record.id }));
await step("ann got the create", () => annNotes.take(1));
await step("notes.update as ann", async () => (await ann.collection("notes").update(note.id, { text: "still mine" })).text);
await step("ann got the update", () => annNotes.take(1));
await step("notes.delete as ann", () => ann.collection("notes").delete(note.id));
await step("ann got the delete", () => annNotes.take(1));
await step("bob got nothing", () => bobNotes.quiet());
await step("guest got nothing", () => guestNotes.quiet());

await step("guest unsubscribes posts/*", async () => { await guest.collection("posts").unsubscribe("*"); return null; });
await step("posts.create after unsubscribing", async () => (await guest.collection("posts").create({ title: "unheard" })).title);
await step("posts/* got nothing after unsubscribing", () => posts.quiet());

const shouts = inbox();
await step("guest subscribes shouts", () => guest.realtime.subscribe("shouts", shouts.push));
await step("a hook route sends to shouts", () =>
  guest.send("/api/flow/shout", { method: "POST", body: { topic: "shouts", text: "hi" } }));
await step("shouts got the message", () => shouts.take(1));
await step("bob sends to a topic nobody has", () =>
  bob.send("/api/flow/shout", { method: "POST", body: { topic: "nobody", text: "x" } }));

await step("unsubscribe everything", async () => {
  for (const pb of [guest, ann, bob]) await pb.realtime.unsubscribe();
  return [guest, ann, bob].map((pb) => pb.realtime.isConnected);
});
console.log(JSON.stringify(steps));
process.exit(0);
