// The page's elements, and the parts of the chat view that need no chat
// state: the settings that fold away on a phone, the invite link, the
// member strip's "more below" hint, and tags where two share a name.
import { t } from './i18n.js';
import { renderStatus, updateCountdown } from './render.js';

const IDS = [
  'join-view', 'join-form', 'name', 'name-error', 'room', 'room-error', 'lang', 'lang-find', 'lang-hint',
  'lang-error', 'join-error', 'join-button', 'chat-view', 'chat-header', 'settings-toggle', 'room-name',
  'me-name', 'status', 'offline-bar', 'retry-countdown', 'reconnect-now', 'engine-banner',
  'engine-banner-close', 'lang-switch', 'lang-switch-hint', 'room-switch-form', 'room-switch',
  'room-switch-error', 'share-link', 'copy-link', 'copy-status', 'leave-button', 'load-earlier', 'messages',
  'jump-latest', 'typing', 'composer-form', 'composer', 'composer-counter', 'composer-error', 'members',
  'member-count', 'members-more', 'members-panel', 'room-hint', 'lang-note', 'lang-note-text',
  'lang-note-detail', 'lang-note-close',
];

/** Every element the scripts use, by camelCased id (`room-switch` → `ui.roomSwitch`). */
export const ui = Object.fromEntries(IDS.map((id) => [
  id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), document.getElementById(id),
]));

let countdownTimer = null;

/**
 * The connection's state in the header; while a retry is planned, a bar counts down to it. The bar stays
 * through the retry itself ("Retrying…"), so "Reconnect now" never vanishes from under a finger.
 */
export function showConnection(state, detail = {}) {
  renderStatus(ui.status, state);
  ui.chatView.dataset.state = state;
  clearInterval(countdownTimer);
  if (state === 'connecting' && !ui.offlineBar.hidden) {
    updateCountdown(ui.retryCountdown, 0);
    return;
  }
  const retrying = state === 'offline' && detail.retryInMs !== undefined;
  ui.offlineBar.hidden = !retrying;
  if (!retrying) return;
  const retryAt = Date.now() + detail.retryInMs;
  const tick = () => updateCountdown(ui.retryCountdown, retryAt - Date.now());
  tick();
  countdownTimer = setInterval(tick, 1000);
}

/** The settings (language, room, invite link) fold away on narrow screens. */
export function showSettings(open) {
  ui.chatHeader.classList.toggle('open', open);
  ui.settingsToggle.setAttribute('aria-expanded', String(open));
}

async function copyShareLink() {
  try {
    await navigator.clipboard.writeText(ui.shareLink.value);
    ui.copyStatus.textContent = t('copied');
  } catch {
    ui.shareLink.select(); // insecure context or denied: let the user copy it
    ui.copyStatus.textContent = t('pressToCopy');
  }
}

/** On a phone the member strip shows two lines and scrolls: mark the panel while more hides below. */
function showMembersOverflow() {
  const panel = ui.membersPanel;
  panel.dataset.more = String(panel.scrollHeight - panel.clientHeight - panel.scrollTop > 2);
}

/** Tags show only where two people in view share a name. */
export function markSharedNames() {
  const nodes = document.querySelectorAll('#messages [data-tag], #members [data-tag]');
  const tagsByName = new Map();
  for (const node of nodes) {
    const tags = tagsByName.get(node.dataset.sender) ?? new Set();
    tags.add(node.dataset.tag);
    tagsByName.set(node.dataset.sender, tags);
  }
  for (const node of nodes) node.classList.toggle('shared-name', tagsByName.get(node.dataset.sender).size > 1);
}

export function wireView() {
  ui.copyLink.addEventListener('click', copyShareLink);
  ui.shareLink.addEventListener('focus', () => ui.shareLink.select());
  ui.settingsToggle.addEventListener('click', () => showSettings(!ui.chatHeader.classList.contains('open')));
  ui.chatHeader.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !ui.chatHeader.classList.contains('open')) return;
    showSettings(false);
    ui.settingsToggle.focus();
  });
  ui.membersPanel.addEventListener('scroll', showMembersOverflow, { passive: true });
  new ResizeObserver(showMembersOverflow).observe(ui.members);
  new ResizeObserver(showMembersOverflow).observe(ui.membersPanel);
}
