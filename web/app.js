// honyaku chat page: join screen, chat view, and the wire protocol glue.
import { fillLanguageSelect, guessLanguage, languageLabel } from './languages.js';
import { Connection, resolveWsBase } from './connection.js';
import {
  errorElement, messageElement, pendingElement, presenceElement, renderMembers,
  renderStatus, setPendingState, showEngineBanner, systemElement, updateCountdown,
} from './render.js';
import {
  langProblem, loadPrefs, nameProblem, pageParams, roomProblem, savePrefs, shareLink,
  updatePageUrl,
} from './prefs.js';

const HISTORY_PAGE = 50;
const MAX_TEXT_BYTES = 10000;
const ENGINE_NOTES = {
  pseudo: 'Test translator: messages are tagged with your language, like “[es] Hello”, not translated.',
};

const $ = (id) => document.getElementById(id);
const ui = {
  joinView: $('join-view'), joinForm: $('join-form'), name: $('name'), room: $('room'),
  lang: $('lang'), joinError: $('join-error'), joinButton: $('join-button'),
  chatView: $('chat-view'), chatHeader: $('chat-header'), settingsToggle: $('settings-toggle'),
  roomName: $('room-name'), meName: $('me-name'), status: $('status'),
  engineBanner: $('engine-banner'), engineBannerClose: $('engine-banner-close'),
  langSwitch: $('lang-switch'), roomSwitchForm: $('room-switch-form'), roomSwitch: $('room-switch'),
  shareLink: $('share-link'), copyLink: $('copy-link'), copyStatus: $('copy-status'),
  loadEarlier: $('load-earlier'), messages: $('messages'), composerForm: $('composer-form'),
  composer: $('composer'), composerError: $('composer-error'),
  members: $('members'), memberCount: $('member-count'),
};

const params = pageParams();
const wsBase = resolveWsBase();
const state = {
  name: '', room: '', lang: 'en',
  next: null,            // cursor for "Load earlier", null when nothing older
  historyBusy: false,
  historyFresh: true,    // the next history reply is the first page after a reset
  focusAfterJoin: false,
  myConnections: new Set(),
  // clientMsgId → { item, frame, state: queued|sending|unconfirmed|failed }
  pending: new Map(),
  lastSeenId: null,      // newest message id shown before the last reset
  engineNote: '',        // note shown about the engine ('' when none)
  engineNoteDismissed: false,
  retryAt: 0,            // when the next reconnect attempt is due (ms epoch)
};
let connection = null;

// ---------- join screen ----------

function initJoinForm() {
  const prefs = loadPrefs();
  ui.name.value = params.name ?? prefs.name ?? '';
  ui.room.value = params.room ?? prefs.room ?? 'lobby';
  fillLanguageSelect(ui.lang, params.lang ?? prefs.lang ?? guessLanguage());
  fillLanguageSelect(ui.langSwitch, ui.lang.value);

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    tryJoin({ name: ui.name.value, room: ui.room.value.trim(), lang: ui.lang.value });
  });

  if (params.room !== null && params.lang !== null && params.name !== null) {
    tryJoin({ name: params.name, room: params.room, lang: params.lang }); // focuses a bad field
  } else {
    (ui.name.value.trim() ? ui.joinButton : ui.name).focus();
  }
}

function tryJoin({ name, room, lang }) {
  const problems = [nameProblem(name), roomProblem(room), langProblem(lang)];
  [ui.name, ui.room, ui.lang].forEach((input, i) => {
    input.setAttribute('aria-invalid', String(Boolean(problems[i])));
  });
  const problem = problems.find(Boolean);
  ui.joinError.textContent = problem ?? '';
  if (problem) {
    [ui.name, ui.room, ui.lang][problems.indexOf(problem)].focus();
    return false;
  }
  enterChat({ name: name.trim(), room, lang });
  return true;
}

async function enterChat({ name, room, lang }) {
  Object.assign(state, { name, room, lang });
  savePrefs(state);
  updatePageUrl(state);
  showCurrent();
  ui.joinView.hidden = true;
  ui.chatView.hidden = false;
  ui.composer.focus();
  loadServerNotice();
  // Created at once so messages typed before the endpoint is known are queued.
  connection = new Connection({
    base: null,
    params: () => ({ room: state.room, lang: state.lang, name: state.name, token: params.token }),
    onState,
    onOpen,
    onFrame,
    onSent: (frame) => markPending(frame.clientMsgId, 'sending'),
  });
  connection.base = await wsBase;
  connection.start();
}

// ---------- connection events ----------

let countdownTimer = null;

function onState(connState, detail = {}) {
  renderStatus(ui.status, connState, detail);
  ui.chatView.dataset.state = connState;
  clearInterval(countdownTimer);
  if (connState === 'offline' && detail.retryInMs !== undefined) {
    state.retryAt = Date.now() + detail.retryInMs;
    countdownTimer = setInterval(() => updateCountdown(ui.status, state.retryAt - Date.now()), 1000);
  }
}

function onOpen() {
  resetConversation();
  requestHistory();
  connection.send({ action: 'members' });
}

function onFrame(frame) {
  switch (frame.type) {
    case 'message': if (frame.room === state.room) onMessage(frame); break;
    case 'presence': if (frame.room === state.room) onPresence(frame); break;
    case 'joined': onJoined(frame); break;
    case 'members': if (frame.room === state.room) showMembers(frame.members); break;
    case 'history': onHistory(frame); break;
    case 'error': onError(frame); break;
    default: break; // pong and anything newer
  }
}

function onMessage(msg) {
  noteEngine(msg.engine);
  const entry = msg.clientMsgId !== undefined ? state.pending.get(msg.clientMsgId) : undefined;
  if (entry) {
    state.pending.delete(msg.clientMsgId);
    if (msg.from?.connectionId) state.myConnections.add(msg.from.connectionId);
    if (findMessage(msg.id)) entry.item.remove();
    else entry.item.replaceWith(messageElement(msg, true));
    return;
  }
  if (findMessage(msg.id)) return;
  append(messageElement(msg, isOwn(msg)));
}

function onPresence(frame) {
  append(presenceElement(frame));
  if (Number.isInteger(frame.count)) ui.memberCount.textContent = `(${frame.count})`;
  connection.send({ action: 'members' });
}

function onJoined(frame) {
  const roomChanged = frame.room !== state.room;
  if (frame.connectionId) state.myConnections.add(frame.connectionId);
  Object.assign(state, { room: frame.room, lang: frame.lang, name: frame.name ?? state.name });
  savePrefs(state);
  updatePageUrl(state);
  showCurrent();
  showMembers(frame.members);
  resetConversation({ roomChanged });
  append(systemElement(roomChanged
    ? `You joined room ${state.room}.`
    : `Now reading in ${languageLabel(state.lang)}.`));
  requestHistory();
  connection.send({ action: 'members' });
  if (state.focusAfterJoin) ui.composer.focus();
  state.focusAfterJoin = false;
}

function onHistory(frame) {
  if (frame.room !== state.room || frame.lang !== state.lang) return; // stale reply
  state.historyBusy = false;
  state.next = frame.next ?? null;
  const messages = Array.isArray(frame.messages) ? frame.messages : [];
  if (state.historyFresh) settleUnconfirmed(messages);
  const fragment = document.createDocumentFragment();
  for (const msg of messages) {
    noteEngine(msg.engine);
    if (!findMessage(msg.id)) fragment.append(messageElement(msg, isOwn(msg)));
  }
  const { scrollHeight, scrollTop } = ui.messages;
  ui.messages.prepend(fragment);
  if (state.historyFresh) scrollToBottom();
  else ui.messages.scrollTop = scrollTop + (ui.messages.scrollHeight - scrollHeight);
  state.historyFresh = false;
  showLoadEarlier();
}

function onError(frame) {
  append(errorElement(frame));
  if (frame.action === 'translate') {
    // Replies come in order, so the oldest message still in flight is the one refused.
    const entry = [...state.pending.values()].find((e) => e.state === 'sending');
    if (entry) markPending(entry.frame.clientMsgId, 'failed', frame.code);
  } else if (frame.action === 'history') {
    state.historyBusy = false;
    if (state.historyFresh) settleUnconfirmed(null);
    showLoadEarlier();
  } else if (frame.action === 'join') {
    state.focusAfterJoin = false;
    showCurrent();
  }
}

// ---------- conversation ----------

/**
 * Empty the list for a fresh history, keeping my messages not yet sent
 * (and, unless the room changed, those refused or in flight).
 */
function resetConversation({ roomChanged = false } = {}) {
  const kept = [];
  state.lastSeenId = newestMessageId();
  for (const [id, entry] of state.pending) {
    if (roomChanged && entry.state !== 'queued') {
      state.pending.delete(id); // went to (or was refused by) the old room
      continue;
    }
    // In flight when the connection changed: the fresh history tells whether it
    // arrived. It is never sent again by itself, so it can never show up twice.
    if (entry.state === 'sending') markPending(id, 'unconfirmed');
    kept.push(entry.item);
  }
  ui.messages.replaceChildren(...kept);
  Object.assign(state, { next: null, historyBusy: false, historyFresh: true });
  showLoadEarlier();
}

/**
 * Settle my messages that were in flight when the connection dropped, using
 * the first history page after it (`null` when that request failed): one that
 * is there arrived, the rest are marked "not sent" with a Retry button.
 * History carries no clientMsgId, so a match is by my name and the text, among
 * messages newer than any I had seen.
 */
function settleUnconfirmed(messages) {
  const used = new Set();
  for (const [id, entry] of state.pending) {
    if (entry.state !== 'unconfirmed') continue;
    const match = (messages ?? []).find((msg) => !used.has(msg.id)
      && (state.lastSeenId === null || String(msg.id) > state.lastSeenId)
      && msg.from?.name === state.name
      && (msg.original ?? msg.text) === entry.frame.text);
    if (match) {
      used.add(match.id);
      state.pending.delete(id);
      entry.item.remove();
      if (match.from?.connectionId) state.myConnections.add(match.from.connectionId);
    } else {
      markPending(id, 'failed', messages ? 'connection lost' : 'could not check');
    }
  }
}

function newestMessageId() {
  let newest = null;
  for (const item of ui.messages.querySelectorAll('.message[data-id]')) {
    if (newest === null || item.dataset.id > newest) newest = item.dataset.id;
  }
  return newest;
}

/**
 * The server's own word on its engine (`honyaku serve` answers
 * status.json; a static host has none, and that is fine): e.g. that
 * Apertium is missing and messages are only pseudo-translated.
 */
async function loadServerNotice() {
  try {
    const res = await fetch('status.json', { cache: 'no-store' });
    if (!res.ok) return;
    const status = await res.json();
    if (typeof status.notice === 'string' && status.notice && !state.engineNoteDismissed) {
      state.engineNote = status.notice;
      showEngineBanner(ui.engineBanner, status.notice);
    }
  } catch {
    // No status: nothing to say.
  }
}

/** Explain an engine whose output could puzzle a reader (the test translator). */
function noteEngine(engine) {
  const note = ENGINE_NOTES[engine];
  if (!note || state.engineNote === note || state.engineNoteDismissed) return;
  state.engineNote = note;
  showEngineBanner(ui.engineBanner, note);
}

function requestHistory(before) {
  if (state.historyBusy) return;
  const frame = { action: 'history', limit: HISTORY_PAGE };
  if (before) frame.before = before;
  state.historyBusy = connection.send(frame);
  showLoadEarlier();
}

function showLoadEarlier() {
  ui.loadEarlier.hidden = state.next === null;
  ui.loadEarlier.disabled = state.historyBusy;
}

function sendMessage() {
  const text = ui.composer.value.trim();
  ui.composerError.textContent = '';
  if (!text) return;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_TEXT_BYTES) {
    ui.composerError.textContent = `Message is ${bytes} bytes; the limit is ${MAX_TEXT_BYTES}.`;
    return;
  }
  const frame = { action: 'translate', text, clientMsgId: newClientMsgId() };
  const item = pendingElement(frame, state.name, state.lang, 'queued');
  state.pending.set(frame.clientMsgId, { item, frame, state: 'queued' });
  append(item, true);
  ui.composer.value = '';
  connection.enqueue(frame);
}

function markPending(clientMsgId, pendingState, reason) {
  const entry = state.pending.get(clientMsgId);
  if (!entry) return;
  entry.state = pendingState;
  setPendingState(entry.item, pendingState, reason);
  entry.item.querySelector('.retry')?.remove();
  if (pendingState !== 'failed') return;
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'retry';
  retry.textContent = 'Retry';
  retry.addEventListener('click', () => {
    markPending(clientMsgId, 'queued');
    connection.enqueue(entry.frame); // a refused id is not used up, so it is reused
    ui.composer.focus();
  });
  entry.item.append(retry);
}

function newClientMsgId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function isOwn(msg) {
  return msg.clientMsgId !== undefined || state.myConnections.has(msg.from?.connectionId);
}

function findMessage(id) {
  if (id === undefined || id === null) return null;
  return ui.messages.querySelector(`.message[data-id="${CSS.escape(String(id))}"]`);
}

function append(item, force = false) {
  const list = ui.messages;
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.append(item);
  if (force || nearBottom) scrollToBottom();
}

function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

function showMembers(members) {
  renderMembers(ui.members, members);
  ui.memberCount.textContent = `(${ui.members.children.length})`;
}

// ---------- switching room / language ----------

function switchTo({ room, lang }) {
  const problem = roomProblem(room) || langProblem(lang);
  if (problem) {
    ui.composerError.textContent = problem;
    showCurrent();
    return;
  }
  ui.composerError.textContent = '';
  if (room === state.room && lang === state.lang) return;
  if (connection.isOpen) {
    connection.send({ action: 'join', room, lang }); // the `joined` reply updates the page
    return;
  }
  // Offline: the next connect carries the new room/lang; history reloads on open.
  const roomChanged = room !== state.room;
  Object.assign(state, { room, lang });
  savePrefs(state);
  updatePageUrl(state);
  showCurrent();
  resetConversation({ roomChanged });
  ui.members.replaceChildren();
  connection.reconnectNow();
  if (state.focusAfterJoin) ui.composer.focus();
  state.focusAfterJoin = false;
}

/** Header, switch controls and share link reflect the current state. */
function showCurrent() {
  ui.roomName.textContent = state.room;
  ui.meName.textContent = `${state.name} · ${languageLabel(state.lang)}`;
  ui.langSwitch.value = state.lang;
  ui.roomSwitch.value = state.room;
  ui.shareLink.value = shareLink(state.room);
  document.title = `${state.room} — honyaku`;
}

async function copyShareLink() {
  try {
    await navigator.clipboard.writeText(ui.shareLink.value);
    ui.copyStatus.textContent = 'Copied.';
  } catch {
    ui.shareLink.select(); // insecure context or denied: let the user copy it
    ui.copyStatus.textContent = 'Press Ctrl+C (⌘C) to copy.';
  }
}

// ---------- wiring ----------

ui.composerForm.addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
});
ui.loadEarlier.addEventListener('click', () => {
  if (state.next) requestHistory(state.next);
});
ui.langSwitch.addEventListener('change', () => switchTo({ room: state.room, lang: ui.langSwitch.value }));
ui.roomSwitchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  state.focusAfterJoin = true;
  showSettings(false);
  switchTo({ room: ui.roomSwitch.value.trim(), lang: state.lang });
});
ui.copyLink.addEventListener('click', copyShareLink);
/** The settings (language, room, invite link) fold away on narrow screens. */
function showSettings(open) {
  ui.chatHeader.classList.toggle('open', open);
  ui.settingsToggle.setAttribute('aria-expanded', String(open));
}
ui.settingsToggle.addEventListener('click', () => showSettings(!ui.chatHeader.classList.contains('open')));
ui.chatHeader.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || !ui.chatHeader.classList.contains('open')) return;
  showSettings(false);
  ui.settingsToggle.focus();
});
ui.engineBannerClose.addEventListener('click', () => {
  state.engineNoteDismissed = true;
  showEngineBanner(ui.engineBanner, '');
  ui.composer.focus();
});
ui.shareLink.addEventListener('focus', () => ui.shareLink.select());
window.addEventListener('online', () => {
  if (connection && !connection.isOpen) connection.reconnectNow();
});

initJoinForm();
