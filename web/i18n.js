// The page's own words in the reader's language: string tables in
// web/i18n/<code>.json, picked by the language the user reads in, English
// for anything a table lacks. Layout direction follows the reading language.

/** The tables shipped in web/i18n/ (fetching a missing one would log a 404). */
const TABLES = new Set(['en', 'ja', 'es', 'fr', 'pt', 'de', 'zh', 'ko', 'ar', 'he', 'fa', 'ur']);
const FALLBACK = 'en';

const loaded = new Map();
let locale = FALLBACK;
let table = {};
let english = {};
let rtlCodes = new Set();

function loadTable(code) {
  if (!loaded.has(code)) {
    loaded.set(code, fetch(new URL(`i18n/${code}.json`, import.meta.url))
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({})));
  }
  return loaded.get(code);
}

/** The table for a language code: itself, else its base (pt-PT → pt), else English. */
export function tableFor(code) {
  const value = String(code ?? '');
  if (TABLES.has(value)) return value;
  const base = value.split('-')[0];
  return TABLES.has(base) ? base : FALLBACK;
}

export function configure({ rtl }) {
  rtlCodes = rtl;
}

/** Switch the interface to `lang` (a reading language code); resolves when the strings are in place. */
export async function setLocale(lang) {
  const code = tableFor(lang);
  const [next, en] = await Promise.all([loadTable(code), loadTable(FALLBACK)]);
  english = en;
  table = next;
  locale = code;
  const root = document.documentElement;
  root.lang = code;
  root.dir = isRtl(lang) ? 'rtl' : 'ltr';
  applyStrings(document);
  return code;
}

export function isRtl(lang) {
  return rtlCodes.has(lang) || rtlCodes.has(String(lang ?? '').split('-')[0]);
}

export function currentLocale() {
  return locale;
}

/**
 * The string for `key` with `{name}` placeholders filled. A plural entry
 * is an object keyed by Intl.PluralRules category, chosen by `params.count`.
 */
export function t(key, params = {}) {
  let entry = table[key] ?? english[key] ?? key;
  if (entry && typeof entry === 'object') {
    const category = new Intl.PluralRules(locale).select(Number(params.count ?? 0));
    entry = entry[category] ?? entry.other ?? Object.values(entry)[0];
  }
  return String(entry).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' ? formatNumber(value) : String(value);
  });
}

/**
 * `t(key, params)` as nodes to append, each string value in a <bdi> of its
 * own: a name written right to left cannot reorder the sentence around it.
 */
export function tIsolated(key, params = {}) {
  const marked = Object.fromEntries(Object.entries(params)
    .map(([name, value]) => [name, typeof value === 'string' ? `\u0000${name}\u0000` : value]));
  return t(key, marked).split(/\u0000(\w+)\u0000/).map((part, index) => {
    if (index % 2 === 0) return part;
    const bdi = document.createElement('bdi');
    bdi.textContent = params[part];
    return bdi;
  }).filter((part) => part !== '');
}

export function formatNumber(value) {
  return new Intl.NumberFormat(locale).format(value);
}

/**
 * Fill every element marked with data-i18n (text) and data-i18n-<attr>
 * (placeholder, aria-label, title) under `root`.
 */
export function applyStrings(root) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    const data = `i18n${attr.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')}`;
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      node.setAttribute(attr, t(node.dataset[data]));
    }
  }
}

/** A language's name in the interface language ("Spanish", "スペイン語") or in `inLocale`, or null. */
const displayNames = new Map();

export function displayName(code, inLocale = locale) {
  try {
    if (!displayNames.has(inLocale)) {
      displayNames.set(inLocale, new Intl.DisplayNames([inLocale], { type: 'language', fallback: 'none' }));
    }
    const name = displayNames.get(inLocale).of(code);
    return name && name !== code ? name : null;
  } catch {
    return null;
  }
}
