// Message text as DOM: http(s) URLs become links (nothing else does), and
// mentions of a name are found. Text only ever goes in as text nodes. A
// link shows where it leads (its href), isolated from the text around it,
// and a look-alike (mixed-script) domain is followed by its punycode form.

// A run of non-space characters after http:// or https://.
const URL_RE = /\bhttps?:\/\/[^\s<>"]+/giu;
// Punctuation that ends a sentence rather than a URL.
const TRAILING_RE = /[.,;:!?'’”»)\]}>、。，！？]/u;

/** A URL match without the sentence's punctuation; a ")" the URL itself opened stays (…/Foo_(bar)). */
function trimUrl(candidate) {
  let url = candidate;
  while (url.length > 0 && TRAILING_RE.test(url.slice(-1))) {
    if (url.endsWith(')') && count(url, '(') >= count(url, ')')) break;
    url = url.slice(0, -1);
  }
  return url;
}

function count(text, char) {
  return text.split(char).length - 1;
}

/** A safe absolute http(s) URL for `text`, or null. */
export function safeHref(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// Characters that reorder or hide text: shown percent-encoded in a link.
const HIDDEN_RE = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\s]/gu;
// Bidi controls in plain text: such a run is isolated so it cannot reorder its neighbours.
const BIDI_RE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** The letters' scripts in `label` (digits, hyphens and the like belong to none). */
function scriptsOf(label) {
  const scripts = new Set();
  for (const ch of label) {
    const script = SCRIPTS.find(([, re]) => re.test(ch));
    if (script) scripts.add(script[0]);
    else if (/\p{L}/u.test(ch)) scripts.add('other');
  }
  return scripts;
}
const SCRIPTS = ['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Devanagari', 'Thai',
  'Georgian', 'Hangul', 'Hiragana', 'Katakana', 'Han', 'Cherokee']
  .map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')]);
// Mixes that whole languages write with (Japanese, Chinese, Korean with Latin).
const USUAL_MIXES = [['Latin', 'Han', 'Hiragana', 'Katakana'], ['Latin', 'Han', 'Hangul']];

/** Whether a Unicode host name mixes scripts in one label, as look-alikes of other names do. */
export function mixedScript(host) {
  return String(host).split('.').some((label) => {
    const scripts = [...scriptsOf(label)];
    if (scripts.length <= 1) return false;
    return !USUAL_MIXES.some((mix) => scripts.every((s) => mix.includes(s)));
  });
}

/** The host as written in the text (Unicode), from a matched URL. */
function writtenHost(text) {
  const rest = text.replace(/^https?:\/\//i, '');
  const authority = rest.split(/[/?#]/u, 1)[0];
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? host : host.replace(/:\d*$/u, '');
}

/**
 * What a link shows: its real target (`href`), readable — percent-escapes
 * decoded, the host as written — but with anything that could reorder or
 * hide text shown escaped. The text of a message never decides it.
 */
export function linkText(href, written) {
  const url = new URL(href);
  let tail;
  try {
    tail = decodeURI(url.pathname + url.search + url.hash);
  } catch {
    tail = url.pathname + url.search + url.hash;
  }
  // "https://example.com" as written, not "https://example.com/".
  if (tail === '/' && !/^https?:\/\/[^/?#]*[/?#]/iu.test(written)) tail = '';
  const host = writtenHost(written);
  // The written host only if it is the same host (once made ASCII) as the href's.
  let shownHost = url.host;
  try {
    if (host && new URL(`${url.protocol}//${host}`).hostname === url.hostname) {
      shownHost = host + (url.port ? `:${url.port}` : '');
    }
  } catch { /* the href's own */ }
  const user = url.username ? `${decodeSafe(url.username)}${url.password ? ':…' : ''}@` : '';
  const shown = `${url.protocol}//${user}${shownHost}${tail}`;
  return shown.replace(HIDDEN_RE, (ch) => encodeURIComponent(ch));
}

function decodeSafe(part) {
  try { return decodeURIComponent(part); } catch { return part; }
}

/** Fill `node` with `text`, turning http(s) URLs into links that open in a new tab. */
export function fillWithLinks(node, text) {
  const value = String(text ?? '');
  let last = 0;
  for (const match of value.matchAll(URL_RE)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    appendText(node, value.slice(last, match.index));
    const link = document.createElement('a');
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    // Shown from where it leads, left to right and isolated from the text
    // around it: bidi controls in a message cannot disguise it.
    link.textContent = linkText(href, url);
    link.dir = 'ltr';
    node.append(link);
    const host = new URL(href).hostname;
    if (host.includes('xn--') && mixedScript(writtenHost(url))) {
      // A look-alike name: say what it really is.
      const real = document.createElement('span');
      real.className = 'punycode';
      real.dir = 'ltr';
      real.textContent = ` (${host})`;
      node.append(real);
    }
    last = match.index + url.length;
  }
  appendText(node, value.slice(last));
}

/** Plain text; a run holding bidi controls is isolated (<bdi>) so they stay inside it. */
function appendText(node, text) {
  if (!text) return;
  if (!BIDI_RE.test(text)) {
    node.append(text);
    return;
  }
  const isolated = document.createElement('bdi');
  isolated.textContent = text;
  node.append(isolated);
}

// Scripts written without spaces between words: a name is found anywhere.
const NO_SPACES_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Whether `text` mentions `name` (case-insensitive, as a whole word where words have spaces). */
export function mentions(text, name) {
  const wanted = String(name ?? '').trim();
  if (!wanted || !text) return false;
  const haystack = String(text).toLocaleLowerCase();
  const needle = wanted.toLocaleLowerCase();
  if (NO_SPACES_RE.test(wanted)) return haystack.includes(needle);
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])@?${escaped}(?=$|[^\\p{L}\\p{N}_])`, 'u').test(haystack);
}
