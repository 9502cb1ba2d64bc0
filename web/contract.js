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
 * Which languages the engine can translate, as a function code → true
 * (both ways), 'into' (others' messages reach it, but nothing is translated
 * from it), false (neither) or null (unknown: nothing is marked).
 * config.json (a page hosted for a deployment) speaks first, then the
 * local server's language graph.
 */
export async function loadReach() {
  const config = await loadConfig();
  const graph = config.languages ?? (await loadStatus())?.languages;
  return reachFrom(graph);
}

/** `"all"`: every pair works. An object maps each source code to the codes it reaches. Anything else: unknown. */
export function reachFrom(graph) {
  if (graph === 'all') return () => true;
  if (!graph || typeof graph !== 'object' || Array.isArray(graph)) return () => null;
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
