// One fixed flow of the official PocketBase JS SDK against a server, printed as a JSON transcript.
//
//   node flow.mjs BASE_URL SDK_NODE_MODULES
//
// BASE_URL (or $POCKETBASE_URL) is the server: the real PocketBase or `pagesvm serve`, on the migrations of
// pb_migrations/. SDK_NODE_MODULES (or $POCKETBASE_SDK) is a node_modules folder holding the `pocketbase`
// package; ES modules ignore NODE_PATH, so the SDK is imported by absolute path. Every step is recorded as
// {step, ok, status, data} or {step, ok: false, status, error: {status, message, data}}, in order; the
// transcript is raw (ids, tokens, dates as answered) and normalised by tests/api/sdk_transcript.py.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const base = process.argv[2] || process.env.POCKETBASE_URL;
const modules = process.argv[3] || process.env.POCKETBASE_SDK;
if (!base) {
  console.error("usage: node flow.mjs BASE_URL [SDK_NODE_MODULES]");
  process.exit(2);
}
const entry = modules ? createRequire(join(modules, "noop.js")).resolve("pocketbase") : "pocketbase";
const { default: PocketBase } = await import(modules ? pathToFileURL(entry).href : entry);

const steps = [];
let lastStatus = null; // the HTTP status of the step's last request, seen by every client's afterSend

function client() {
  const pb = new PocketBase(base);
  pb.autoCancellation(false);
  pb.afterSend = (response, data) => {
    lastStatus = response.status;
    return data;
  };
  return pb;
}

// Run one step; a step that sends no request (the auth store, a URL) has status null.
async function step(name, call) {
  lastStatus = null;
  try {
    const value = await call();
    steps.push({ step: name, ok: true, status: lastStatus, data: value ?? null });
    return value;
  } catch (err) {
    // An HTTP error answer (ClientResponseError) or anything else the step threw: recorded, never fatal, so a
    // server that lacks an endpoint still gives a whole transcript to compare.
    const body = err?.response || {};
    const status = err?.status ?? null;
    steps.push({
      step: name, ok: false, status,
      error: { status: body.status ?? status, message: body.message ?? String(err?.message ?? err),
               data: body.data ?? null },
    });
    return undefined;
  }
}

function store(pb) {
  return { isValid: pb.authStore.isValid, token: pb.authStore.token, record: pb.authStore.record,
           isSuperuser: pb.authStore.isSuperuser };
}

const anon = client();
const users = anon.collection("users");
const A = { email: "alice@example.com", password: "alice-pass-123", name: "Alice" };
const B = { email: "bob@example.com", password: "bob-pass-1234", name: "Bob" };

await step("health", () => anon.health.check());
const userA = await step("users.create A", () => users.create({ ...A, passwordConfirm: A.password }));
await step("users.create B", () => users.create({ ...B, passwordConfirm: B.password, emailVisibility: true }));
await step("users.create duplicate email", () => users.create({ ...A, passwordConfirm: A.password }));
await step("users.create password mismatch", () =>
  users.create({ email: "carol@example.com", password: "carol-pass-123", passwordConfirm: "other-pass-123" }));

const pbA = client();
await step("authWithPassword A wrong password", () =>
  pbA.collection("users").authWithPassword(A.email, "not-the-password"));
await step("authWithPassword A", () => pbA.collection("users").authWithPassword(A.email, A.password));
await step("authStore A", async () => store(pbA));
await step("authRefresh A", () => pbA.collection("users").authRefresh());
const pbB = client();
await step("authWithPassword B", () => pbB.collection("users").authWithPassword(B.email, B.password));

const postsA = pbA.collection("posts");
const published = await step("posts.create published as A", () => postsA.create({
  title: "Hello world", body: "<p>first</p>", owner: userA?.id, tags: ["go", "js"], published: true, views: 3,
}));
const form = new FormData();
form.append("title", "Draft post");
form.append("body", "<p>not yet</p>");
form.append("owner", userA?.id ?? "");
form.append("tags", "py");
form.append("published", "false");
form.append("views", "0");
form.append("attachment", new Blob(["hello from the sdk\n"], { type: "text/plain" }), "hello.txt");
const draft = await step("posts.create draft with file as A", () => postsA.create(form));
// No owner: `owner = @request.auth.id` then holds for anonymous requests too ("" = ""), so the binary shows this
// unpublished post to everyone who is not signed in.
await step("posts.create unowned draft as A", () => postsA.create({ title: "Unowned draft", published: false }));
await step("posts.create missing title", () => postsA.create({ body: "no title", owner: userA?.id }));
await step("posts.create bad values", () => postsA.create({ title: "x", tags: ["rust"], views: -1 }));
// PocketBase judges a file's type by its first bytes (a PNG signature here), its size against maxSize (1024).
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const wrongType = new FormData();
wrongType.append("title", "Wrong file type");
wrongType.append("attachment", new Blob([png], { type: "text/plain" }), "pic.txt");
await step("posts.create file of a refused type", () => postsA.create(wrongType));
const tooLarge = new FormData();
tooLarge.append("title", "Too large file");
tooLarge.append("attachment", new Blob(["x".repeat(2048)], { type: "text/plain" }), "big.txt");
await step("posts.create file over maxSize", () => postsA.create(tooLarge));
await step("posts.create anonymous", () => anon.collection("posts").create({ title: "anon" }));
await step("notes.create anonymous", () => anon.collection("notes").create({ text: "public note" }));

await step("posts.getList as A", () => postsA.getList(1, 1, {
  sort: "-title", filter: 'views >= 0 && title != ""', expand: "owner",
}));
await step("posts.getList fields skipTotal as A", () => postsA.getList(1, 10, {
  sort: "title", fields: "id,title,tags,expand.owner.name", expand: "owner", skipTotal: true,
}));
await step("posts.getList expand anonymous", () =>
  anon.collection("posts").getList(1, 10, { sort: "title", expand: "owner" }));
await step("posts.getFullList as A", () => postsA.getFullList({ sort: "title" }));
await step("posts.getFullList anonymous", () => anon.collection("posts").getFullList({ sort: "title" }));
await step("posts.getFirstListItem found", () => postsA.getFirstListItem('title = "Draft post"'));
await step("posts.getFirstListItem missing", () => postsA.getFirstListItem('title = "no such post"'));
await step("posts.getFirstListItem draft as B", () =>
  pbB.collection("posts").getFirstListItem('title = "Draft post"'));

await step("posts.getOne draft as A", () => postsA.getOne(draft?.id));
await step("posts.getOne draft as B", () => pbB.collection("posts").getOne(draft?.id));
await step("posts.getOne draft anonymous", () => anon.collection("posts").getOne(draft?.id));
await step("posts.getOne published anonymous", () => anon.collection("posts").getOne(published?.id));

await step("posts.update as A", () => postsA.update(draft?.id, { title: "Draft post, edited", "views+": 2 }));
await step("posts.update as B", () => pbB.collection("posts").update(draft?.id, { title: "stolen" }));
await step("posts.update published as B", () => pbB.collection("posts").update(published?.id, { title: "x" }));
await step("posts.delete as B", () => pbB.collection("posts").delete(published?.id));
await step("posts.delete as A", () => postsA.delete(published?.id));
await step("posts.getOne deleted", () => postsA.getOne(published?.id));

await step("posts.getList bad filter", () => postsA.getList(1, 10, { filter: "title ==== 1" }));
await step("posts.getList unknown field", () => postsA.getList(1, 10, { filter: "nosuchfield = 1" }));
await step("posts.getList bad sort", () => postsA.getList(1, 10, { sort: "-nosuchfield" }));
await step("unknown collection", () => pbA.collection("nosuchcollection").getList(1, 10));

const fileName = draft?.attachment ?? "";
const url = draft ? pbA.files.getURL(draft, fileName) : "";
await step("files.getURL", async () => url.slice(base.length));
await step("files fetch", async () => {
  const res = await fetch(url);
  lastStatus = res.status;
  const body = await res.arrayBuffer();
  return { status: res.status, contentType: res.headers.get("content-type"), length: body.byteLength };
});
await step("files fetch missing", async () => {
  const res = await fetch(url.replace(fileName, "nosuchfile.txt"));
  lastStatus = res.status;
  return { status: res.status, contentType: res.headers.get("content-type"), body: await res.text() };
});

await step("secrets.getList as A", () => pbA.collection("secrets").getList(1, 10));
await step("secrets.getList anonymous", () => anon.collection("secrets").getList(1, 10));
await step("secrets.create as A", () => pbA.collection("secrets").create({ code: "x" }));

await step("users.getOne B as A", () => pbA.collection("users").getOne(pbB.authStore.record?.id));
await step("users.getList as A", () => pbA.collection("users").getList(1, 10));
await step("users.listAuthMethods", () => users.listAuthMethods());
await step("users.requestPasswordReset", () => users.requestPasswordReset(A.email));
await step("users.requestPasswordReset unknown", () => users.requestPasswordReset("nobody@example.com"));
await step("users.requestVerification", () => users.requestVerification(A.email));
pbA.authStore.clear();
await step("authStore A after clear", async () => store(pbA));

process.stdout.write(JSON.stringify(steps, null, 1) + "\n");
