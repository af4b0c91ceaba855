// The official JS SDK subscribed to posts/* for as long as its stdin stays open, printing one JSON line per thing
// that happens: {"connect": clientId} on every (re)connection (PB_CONNECT), {"post": title} on every posts event.
// tests/realtime/test_sdk_reconnect.py restarts and kills pagesvm's workers under it.
//
//   node reconnect.mjs BASE_URL SDK_NODE_MODULES EVENTSOURCE_NODE_MODULES
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [base, sdkModules, esModules] = process.argv.slice(2);
const load = async (modules, name) =>
  import(pathToFileURL(createRequire(join(modules, "noop.js")).resolve(name)).href);
const { default: PocketBase } = await load(sdkModules, "pocketbase");
const { EventSource } = await load(esModules, "eventsource");
globalThis.EventSource = EventSource;

const say = (value) => process.stdout.write(JSON.stringify(value) + "\n");
const pb = new PocketBase(base);
pb.autoCancellation(false);
await pb.realtime.subscribe("PB_CONNECT", (e) => say({ connect: e.clientId }));
await pb.collection("posts").subscribe("*", (e) => say({ post: e.record.title }));
say({ subscribed: pb.realtime.clientId });
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
