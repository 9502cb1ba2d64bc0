// Languages as the contract lists them (web/contract.json), shown by their
// own names, sorted as shown, split by whether the running engine can
// translate them, and found by typing.
import { pairFrom, reachFrom } from './contract.js';
import { currentLocale, displayName, t } from './i18n.js';

let languages = [];
let names = new Map();
let reach = () => null;
let pair = () => null;
let engineList = null;

/** Take the contract's list, and what translates here (`loadCapability`'s `{graph, engines}`). */
export function configureLanguages(list, { graph = null, engines = null } = {}) {
  languages = list;
  names = new Map(list.map(({ code, name }) => [code, name]));
  setCapability({ graph, engines });
}

/** What translates here changed (an engine came or went). */
export function setCapability({ graph = null, engines = null }) {
  reach = reachFrom(graph);
  pair = pairFrom(graph);
  engineList = engines;
}

/** Whether a message written in `from` reaches a reader of `to` translated (true, false, null: unknown). */
export function translatesPair(from, to) {
  return pair(from, to);
}

/** The server's engines (`[{name, ok, pairs}]`), or null when it does not say. */
export function engines() {
  return engineList;
}

/** "apertium, libretranslate (not answering)" in the interface language, or '' when unknown. */
export function enginesText() {
  if (!engineList || engineList.length === 0) return '';
  const labels = engineList.map((e) => (e.ok ? e.name : t('engineDown', { engine: e.name })));
  return new Intl.ListFormat(currentLocale(), { type: 'unit' }).format(labels);
}

export function isLanguage(code) {
  return names.has(code);
}

/**
 * Whether the engine translates `code`: true, 'into' (into it only: what
 * its readers write stays as written), false, or null when unknown.
 */
export function isTranslated(code) {
  return reach(code);
}

/** "日本語 (ja)"; an unknown code is shown as itself. */
export function languageLabel(code) {
  const name = names.get(code);
  return name ? `${name} (${code})` : String(code ?? '?');
}

/** The language named for a reader of the interface ("Spanish"), else its own name. */
export function languageInUi(code) {
  return displayName(code) ?? names.get(code) ?? String(code ?? '?');
}

/** Best supported code for the browser's preferred languages, else "en". */
export function guessLanguage(preferred = globalThis.navigator?.languages ?? []) {
  for (const tag of preferred) {
    const [base, region] = String(tag).split('-');
    const candidates = [];
    if (region) candidates.push(`${base}-${region.toUpperCase()}`);
    if (base === 'zh' && /^(TW|HK|MO|Hant)$/i.test(region || '')) candidates.push('zh-TW');
    candidates.push(base === 'nb' || base === 'nn' ? 'no' : base);
    const hit = candidates.find(isLanguage);
    if (hit) return hit;
  }
  return 'en';
}

/** Lower-case, accent-free form for matching what someone types. */
function fold(text) {
  return String(text).normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether typing `query` should find `code`: its own name, its code, or its name in the interface language or English. */
export function matchesLanguage(code, query) {
  const wanted = fold(query.trim());
  if (!wanted) return true;
  return [names.get(code) ?? '', code, displayName(code) ?? '', displayName(code, 'en') ?? '']
    .some((text) => fold(text).includes(wanted));
}

/** How well `code` answers `query`: its code (3), a name that starts with it (2), else 1. */
function matchScore(code, query) {
  const wanted = fold(query.trim());
  if (fold(code) === wanted) return 3;
  const starts = [names.get(code) ?? '', displayName(code) ?? '', displayName(code, 'en') ?? '']
    .some((text) => fold(text).startsWith(wanted));
  return starts ? 2 : 1;
}

/** The match to select for `query`: the best score, then the plain language over a regional one. */
function bestMatch(codes, query) {
  return [...codes].sort((a, b) => matchScore(b, query) - matchScore(a, query) || a.length - b.length)[0];
}

/** Codes sorted by the label as shown (native name, then code), in the interface language's order. */
function sortedCodes() {
  const collator = new Intl.Collator(currentLocale(), { sensitivity: 'base' });
  return languages.map(({ code }) => code)
    .sort((a, b) => collator.compare(languageLabel(a), languageLabel(b)));
}

function option(code) {
  const node = document.createElement('option');
  node.value = code;
  node.textContent = isTranslated(code) === false
    ? `${languageLabel(code)} — ${t('langNotTranslatedMark')}`
    : languageLabel(code);
  if (isTranslated(code) === false) node.dataset.untranslated = '';
  return node;
}

/**
 * Fill a <select> with the languages matching `query`, translated ones
 * first (in a group) and the rest in a second, marked group when the
 * engine's reach is known. Keeps `selected` when it is among them, else
 * selects the best match. Returns how many matched.
 */
export function fillLanguageSelect(select, selected, query = '') {
  const codes = sortedCodes().filter((code) => matchesLanguage(code, query));
  const yes = codes.filter((code) => isTranslated(code) !== false);
  const no = codes.filter((code) => isTranslated(code) === false);
  const children = [];
  if (no.length === 0) {
    children.push(...yes.map(option));
  } else {
    for (const [codesIn, key] of [[yes, 'langGroupTranslated'], [no, 'langGroupUntranslated']]) {
      if (codesIn.length === 0) continue;
      const group = document.createElement('optgroup');
      group.label = t(key);
      group.append(...codesIn.map(option));
      children.push(group);
    }
  }
  select.replaceChildren(...children);
  if (codes.includes(selected)) select.value = selected;
  else if (codes.length > 0) select.value = bestMatch(codes, query);
  return codes.length;
}

/** How many languages the engine translates, or null when unknown. */
export function translatedCount() {
  const known = languages.map(({ code }) => isTranslated(code));
  if (known.includes(null)) return null;
  return known.filter((state) => state === true).length;
}
