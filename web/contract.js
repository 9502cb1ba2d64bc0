// What the page learns before it shows anything: the contract it shares
// with the server (languages and limits, web/contract.json), the hosting
// config (web/config.json) and what the running server says about itself
// (/status.json, local mode only). Each is fetched once.

const fetched = new Map();

/** Parsed JSON from `path` beside the page, or null (missing, broken, offline). */
function fetchJson(path) {
  if (!fetched.has(path)) {
    fetched.set(path, (async () => {
      try {
        const response = await fetch(new URL(path, location.href), { cache: 'no-store' });
        if (!response.ok) return null;
        const body = await response.json();
        return body && typeof body === 'object' ? body : null;
      } catch {
        return null;
      }
    })());
  }
  return fetched.get(path);
}

/**
 * The shared contract. Without it the page cannot validate anything, so a
 * missing file is an error the page shows rather than a guess.
 */
export async function loadContract() {
  const contract = await fetchJson('contract.json');
  if (!contract || !Array.isArray(contract.languages) || typeof contract.limits !== 'object') {
    throw new Error('contract.json is missing or malformed');
  }
  return {
    languages: contract.languages.filter((l) => typeof l?.code === 'string' && typeof l?.name === 'string'),
    rtl: new Set(Array.isArray(contract.rtl) ? contract.rtl : []),
    limits: contract.limits,
  };
}

/** web/config.json: `{ws, languages?}`; `{}` when there is none. */
export async function loadConfig() {
  return (await fetchJson('config.json')) ?? {};
}

/**
 * /status.json from `honyaku serve`; null on a static host. A page whose
 * config.json names a deployment's endpoint is such a host: it does not ask.
 */
export async function loadStatus() {
  const config = await loadConfig();
  if (typeof config.ws === 'string' && config.ws) return null;
  return fetchJson('status.json');
}

/**
 * What translates here: `graph`, the language graph (`"all"`, an object
 * mapping each source code to the codes it reaches, or null when unknown),
 * and `engines`, the server's engines as /status.json lists them
 * (`[{name, ok, pairs, url?}]`), or null when it does not say; and the
 * server's `notice`.
 * config.json (a page hosted for a deployment) speaks first, then the
 * local server. `fresh` asks the server again: on a server with several
 * engines, what translates changes as engines come and go.
 */
export async function loadCapability({ fresh = false } = {}) {
  const config = await loadConfig();
  if (fresh) fetched.delete('status.json');
  const status = config.languages === undefined ? await loadStatus() : null;
  const graph = config.languages ?? status?.languages ?? null;
  return { graph, engines: enginesFrom(status?.engines), notice: status?.notice ?? null };
}

/** The engines list, each `{name, ok, pairs}` (pairs a count, or null), or null when absent. */
export function enginesFrom(list) {
  if (!Array.isArray(list)) return null;
  return list.filter((e) => typeof e?.name === 'string' && e.name).map((e) => ({
    name: e.name,
    ok: e.ok !== false,
    pairs: Array.isArray(e.pairs) ? e.pairs.length : (Number.isInteger(e.pairs) ? e.pairs : null),
  }));
}

/**
 * Which languages the engine can translate, as a function code → true
 * (both ways), 'into' (others' messages reach it, but nothing is translated
 * from it), false (neither) or null (unknown: nothing is marked).
 * `"all"`: every pair works. An object maps each source code to the codes
 * it reaches. Anything else: unknown.
 */
export function reachFrom(graph) {
  if (graph === 'all') return () => true;
  if (!isGraph(graph)) return () => null;
  const from = new Set();
  const to = new Set();
  for (const [source, targets] of Object.entries(graph)) {
    if (!Array.isArray(targets) || targets.length === 0) continue;
    from.add(source);
    targets.forEach((target) => to.add(target));
  }
  return (code) => {
    if (!to.has(code)) return false;
    return from.has(code) ? true : 'into';
  };
}

/** Whether a message in `from` reaches a reader of `to` translated: true, false, or null when unknown. */
export function pairFrom(graph) {
  if (graph === 'all') return () => true;
  if (!isGraph(graph)) return () => null;
  return (from, to) => from === to || (Array.isArray(graph[from]) && graph[from].includes(to));
}

function isGraph(graph) {
  return Boolean(graph) && typeof graph === 'object' && !Array.isArray(graph);
}
