// Mentions in a message's text, isolated: "@ليلى thanks for the notes" is
// an English line, but with dir="auto" its first letter (Arabic) would make
// the whole paragraph right to left. The name goes in a <bdi>, which
// dir="auto" skips when it picks the direction, and which keeps the name
// in one piece; the "@" stays outside, before the name in either direction.

const MENTION_RE = /@([\p{L}\p{M}\p{N}_][\p{L}\p{M}\p{N}_.-]*)/gu;

/** Wrap each "@name" in the text nodes of `node` (links and code left alone) as "@" + <bdi>name</bdi>. */
export function isolateMentions(node) {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT, {
    acceptNode: (text) => (text.parentElement.closest('a, code') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const texts = [];
  for (let text = walker.nextNode(); text; text = walker.nextNode()) texts.push(text);
  for (const text of texts) {
    const value = text.data;
    if (!value.includes('@')) continue;
    const parts = [];
    let last = 0;
    for (const match of value.matchAll(MENTION_RE)) {
      parts.push(value.slice(last, match.index + 1));
      const bdi = document.createElement('bdi');
      bdi.className = 'mention-name';
      bdi.textContent = match[1];
      parts.push(bdi);
      last = match.index + match[0].length;
    }
    if (parts.length === 0) continue;
    parts.push(value.slice(last));
    text.replaceWith(...parts.filter((part) => part !== ''));
  }
}
