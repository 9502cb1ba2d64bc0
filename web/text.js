// Message text as DOM: http(s) URLs become links (nothing else does), and
// mentions of a name are found. Text only ever goes in as text nodes.

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

/** Fill `node` with `text`, turning http(s) URLs into links that open in a new tab. */
export function fillWithLinks(node, text) {
  const value = String(text ?? '');
  let last = 0;
  for (const match of value.matchAll(URL_RE)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    node.append(value.slice(last, match.index));
    const link = document.createElement('a');
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = url;
    node.append(link);
    last = match.index + url.length;
  }
  node.append(value.slice(last));
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
