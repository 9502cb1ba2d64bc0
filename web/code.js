// Inline code in message text: `like this` (or ``with a ` inside``, as in
// Markdown) shows as <code>, without its backticks. The code's text goes in
// as a text node, never as HTML, and is left as written: no links, no
// mention marks. The rest of the text gets links as before (text.js).
import { fillWithLinks } from './text.js';

// A run of backticks, then text that neither starts nor ends with one, then
// the same run again (not followed by more backticks), on one paragraph.
const CODE_RE = /(?<!`)(`+)(?!`)((?:(?!\n\n)[\s\S])*?[^`])\1(?!`)/gu;

/** The code spans in `text`: `{start, end, code}` each, in order. */
export function codeSpans(text) {
  const spans = [];
  for (const match of String(text ?? '').matchAll(CODE_RE)) {
    let code = match[2];
    // "`` `x` ``": one space each side only pads the backticks inside.
    if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
    spans.push({ start: match.index, end: match.index + match[0].length, code });
  }
  return spans;
}

/** Fill `node` with `text`: code spans as <code>, URLs elsewhere as links (unless `links` is false). */
export function fillMessageText(node, text, { links = true } = {}) {
  const value = String(text ?? '');
  const rest = links ? appendLinked : (into, part) => { if (part) into.append(part); };
  let last = 0;
  for (const { start, end, code } of codeSpans(value)) {
    rest(node, value.slice(last, start));
    const element = document.createElement('code');
    element.textContent = code;
    element.dir = 'auto';
    node.append(element);
    last = end;
  }
  rest(node, value.slice(last));
}

function appendLinked(node, text) {
  if (!text) return;
  const part = document.createDocumentFragment();
  fillWithLinks(part, text);
  node.append(part);
}
