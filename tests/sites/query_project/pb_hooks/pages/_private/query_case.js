// One query case of tests/data/query_corpus.py run on `$app`, answered as canonical JSON. The same file runs in a
// `routerAdd` handler on the real PocketBase and in this project's page on pagesvm, so both print alike:
// records as their ids (sorted when the case has no sort: row order without ORDER BY is SQLite's choice),
// a count as a number, expands as nested {id, expand} trees, and anything thrown as {error: message}.

function idsOf(records) {
  const out = []
  for (let i = 0; i < records.length; i++) out.push(records[i].id)
  return out
}

function ordered(c, ids) {
  return c.sort ? ids : ids.slice().sort()
}

// Variadic trailing arguments (params, $dbx expressions) are passed only when the case has them.
function withParams(c, args) {
  return c.params === undefined ? args : args.concat([c.params])
}

function expressions(c) {
  const out = []
  for (const e of c.exprs || []) {
    if (e.hash) out.push($dbx.hashExp(e.hash))
    else if (e.in) out.push($dbx.in(e.in[0], ...e.in.slice(1)))
    else out.push($dbx.exp(e.exp, e.params || {}))
  }
  return out
}

// The expanded relations of a record as a tree, one level per path segment, each level sorted by name.
function expandTree(record, paths) {
  const heads = {}
  for (const path of paths) {
    const dot = path.indexOf(".")
    const head = dot < 0 ? path : path.slice(0, dot)
    heads[head] = heads[head] || []
    if (dot >= 0) heads[head].push(path.slice(dot + 1))
  }
  const tree = {}
  for (const head of Object.keys(heads).sort()) {
    const found = record.expandedAll(head)
    const nodes = []
    for (let i = 0; i < found.length; i++) {
      const node = { id: found[i].id }
      if (heads[head].length) node.expand = expandTree(found[i], heads[head])
      nodes.push(node)
    }
    tree[head] = nodes
  }
  return tree
}

function expanded(c, records) {
  const failures = $app.expandRecords(records, c.expand, null)
  const out = { failed: Object.keys(failures || {}).sort(), records: [] }
  for (let i = 0; i < records.length; i++) {
    out.records.push({ id: records[i].id, expand: expandTree(records[i], c.expand) })
  }
  if (c.one) {
    const one = records.length ? records[0].expandedOne(c.one) : null
    out.one = one ? one.id : null
  }
  return out
}

function answer(c) {
  const sort = c.sort || ""
  switch (c.method) {
    case "findRecordsByFilter": {
      const found = $app.findRecordsByFilter(...withParams(c, [c.collection, c.filter, sort, c.limit || 0,
                                                                c.offset || 0]))
      // @random: which records a limited page holds is chance, so only its size is compared.
      if (c.random) return c.limit ? { count: found.length } : { count: found.length, ids: idsOf(found).sort() }
      return ordered(c, idsOf(found))
    }
    case "findFirstRecordByFilter":
      return $app.findFirstRecordByFilter(...withParams(c, [c.collection, c.filter])).id
    case "countRecords":
      return $app.countRecords(c.collection, ...expressions(c))
    case "findRecordsByIds":
      return idsOf($app.findRecordsByIds(c.collection, c.ids, ...expressions(c))).sort()
    case "findAllRecords":
      return idsOf($app.findAllRecords(c.collection, ...expressions(c))).sort()
    case "findFirstRecordByData":
      return $app.findFirstRecordByData(c.collection, c.key, c.value).id
    case "findAuthRecordByEmail":
      return $app.findAuthRecordByEmail(c.collection, c.email).id
    case "expandRecords":
      return expanded(c, $app.findRecordsByFilter(...withParams(c, [c.collection, c.filter, sort, 0, 0])))
    case "expandRecord": {
      const record = $app.findRecordById(c.collection, c.id)
      const failures = $app.expandRecord(record, c.expand, null)
      return { failed: Object.keys(failures || {}).sort(), expand: expandTree(record, c.expand) }
    }
    default:
      throw new Error("unknown corpus method " + c.method)
  }
}

function runCase(c) {
  try {
    return { name: c.name, result: answer(c) }
  } catch (e) {
    return { name: c.name, result: { error: String(e && e.message !== undefined ? e.message : e) } }
  }
}

function runCases(cases) {
  const out = []
  for (let i = 0; i < cases.length; i++) out.push(runCase(cases[i]))
  return out
}

module.exports = { runCase, runCases }
