// The chat inside the widget iframe: the visitor's session, privacy
// consent, the conversation and its live updates.
import { bindComposer } from './composer.js';
import { h, storage } from './dom.js';
import { locale, t } from './i18n.js';
import { LiveSocket, socketURL } from './live.js';
import { newClientMsgID, request, retry } from './net.js';
import { Thread } from './thread.js';

const $ = (id) => document.getElementById(id);
const siteID = new URLSearchParams(location.search).get('site_id') ?? '';
const settings = readSettings();
const tokenKey = 'sodam.visitor.' + siteID;
const typingTimeout = 6000;

let token = '';
let conversation = null; // the open conversation, once there is one
let creating = null; // the request creating it, while in flight
let socket = null;
let typingTimer = 0;
let flashTimer = 0;
let consentText = ''; // empty when the workspace asks for no consent

locale.set(settings.language || locale.lang);
const thread = new Thread($('messages'), renderMessage, $('scroller'));
const clock = new Intl.DateTimeFormat(locale.lang, { hour: 'numeric', minute: '2-digit' });
const fullClock = new Intl.DateTimeFormat(locale.lang, { dateStyle: 'long', timeStyle: 'short' });

// The loader passes its settings as JSON in the URL's fragment, which is
// never sent to any server.
function readSettings() {
  try {
    const value = JSON.parse(decodeURIComponent(location.hash.slice(1)));
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

function api(method, path, body) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  return request(method, '/api/v1/widget' + path, { body, headers });
}

function setView(view) {
  $('chat').dataset.view = view;
  $('end').hidden = !(view === 'chat' && conversation);
  if (view !== 'chat') $('end-confirm').hidden = true;
}

function setConnection(state) {
  const el = $('connection');
  el.dataset.state = state;
  el.textContent = state === 'connecting' || state === 'reconnecting' ? t('connection.' + state) : '';
}

function applyConfig(config) {
  const title = config.title || config.name || t('title');
  $('title').textContent = title;
  document.title = title;
  if (/^#[0-9a-f]{6}$/i.test(config.color ?? '')) {
    const style = document.documentElement.style;
    style.setProperty('--brand', config.color);
    style.setProperty('--on-brand', readableOn(config.color));
  }
  $('availability').textContent = t(config.agents_online ? 'availability.online' : 'availability.offline');
  $('offline').hidden = config.agents_online;
  consentText = config.consent_text ?? '';
  $('consent-text').textContent = consentText;
}

// readableOn picks black or white text for a background colour, whichever
// contrasts more (WCAG relative luminance).
function readableOn(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? '#111111' : '#ffffff';
}

async function openSession() {
  const body = { site_id: siteID, language: settings.language || navigator.language };
  const saved = storage.get(tokenKey);
  if (saved) body.visitor_token = saved;
  if (settings.siteUid) {
    body.site_uid = String(settings.siteUid);
    body.site_uid_sig = String(settings.siteUidSig ?? '');
  }
  const extra = Object.entries(settings.extra ?? {}).filter(([key]) => key.startsWith('cus_extra_'));
  if (extra.length) body.extra = Object.fromEntries(extra.map(([key, value]) => [key, String(value)]));
  try {
    return await retry(() => request('POST', '/api/v1/widget/sessions', { body }), () => setConnection('reconnecting'));
  } catch (err) {
    // A token the server no longer knows (say, after a reset) is dropped
    // and the visitor starts afresh.
    if (!saved || err.status !== 401 || err.code === 'bad_signature') throw err;
    storage.remove(tokenKey);
    delete body.visitor_token;
    return request('POST', '/api/v1/widget/sessions', { body });
  }
}

async function start() {
  setView('loading');
  try {
    const query = new URLSearchParams({ site_id: siteID });
    applyConfig(await retry(() => request('GET', '/api/v1/widget/config?' + query), () => setConnection('reconnecting')));
    const session = await openSession();
    setConnection('idle');
    token = session.visitor_token;
    storage.set(tokenKey, token);
    if (session.conversation && session.conversation.state !== 'closed') await resume(session.conversation);
    else setView(consentText ? 'consent' : 'chat');
  } catch (err) {
    setConnection('idle');
    $('failure').textContent = locale.errorText(err);
    setView('failure');
  }
}

async function resume(conv) {
  conversation = conv;
  setView('chat');
  connect();
  const messages = await retry(() => api('GET', `/conversations/${conv.id}/messages?after=0`));
  for (const msg of messages) thread.add(msg);
  thread.scrollToEnd();
}

function connect() {
  const id = conversation.id;
  socket?.stop();
  socket = new LiveSocket(
    (after) => socketURL('/api/v1/widget/ws', { token, conversation_id: id, after }),
    { event: onEvent, typing: onTyping, state: setConnection },
  );
  socket.start();
}

function onEvent(event) {
  if (event.message?.conversation_id === conversation?.id) {
    thread.add(event.message);
    if (event.message.sender_type === 'agent') showTyping(false);
  }
  if (event.conversation) applyConversation(event.conversation);
}

function onTyping(frame) {
  if (frame.sender_type === 'agent') showTyping(frame.typing);
}

// showTyping shows the agent's typing indicator; it hides by itself if the
// "stopped" frame is lost.
function showTyping(on) {
  clearTimeout(typingTimer);
  $('typing').hidden = !on;
  if (on) typingTimer = setTimeout(() => showTyping(false), typingTimeout);
}

function applyConversation(conv) {
  if (!conv || conv.id !== conversation?.id) return;
  conversation = conv;
  if (conv.state === 'closed') ended();
}

function ended() {
  socket?.stop();
  socket = null;
  showTyping(false);
  setConnection('idle');
  setView('ended');
}

// ensureConversation creates the conversation on the visitor's first
// message, so agents never see empty requests.
function ensureConversation() {
  if (conversation) return Promise.resolve(conversation);
  creating ??= retry(() => api('POST', '/conversations', { consent: true }))
    .then((conv) => {
      conversation = conv;
      $('end').hidden = false;
      connect();
      return conv;
    })
    .finally(() => {
      creating = null;
    });
  return creating;
}

async function send(text) {
  const id = newClientMsgID();
  thread.addPending(id, { sender_type: 'visitor', body: text });
  try {
    const conv = await ensureConversation();
    const res = await retry(
      () => api('POST', `/conversations/${conv.id}/messages`, { client_msg_id: id, body: text }),
      () => thread.mark(id, 'retrying'),
    );
    // The end command (!종료, !end) closes the chat and stores no message.
    if (res.message) thread.add(res.message);
    else thread.drop(id);
    applyConversation(res.conversation);
  } catch (err) {
    thread.mark(id, 'failed', locale.errorText(err));
  }
}

async function endChat() {
  $('end-confirm').hidden = true;
  try {
    applyConversation(await api('POST', `/conversations/${conversation.id}/close`));
  } catch (err) {
    flash(locale.errorText(err));
  }
}

// flash shows a short-lived error that belongs to no message.
function flash(text) {
  const el = $('alert');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    el.hidden = true;
  }, 6000);
}

function renderMessage(msg, status, error) {
  if (msg.sender_type === 'system') return h('li', { class: 'msg system' }, msg.body);
  const mine = msg.sender_type === 'visitor';
  const meta = status
    ? h('span', { class: 'meta', role: status === 'failed' ? 'alert' : null }, t('msg.' + status, { error }))
    : h('time', { class: 'meta', datetime: msg.created_at, title: fullClock.format(new Date(msg.created_at)) },
      clock.format(new Date(msg.created_at)));
  return h('li', { class: mine ? 'msg mine' : 'msg theirs' },
    !mine && h('span', { class: 'who' }, msg.sender_name || t('agent')),
    h('p', { class: 'bubble' }, msg.body),
    meta);
}

bindComposer($('composer'), {
  send,
  typing: (on) => socket?.send({ type: 'typing', conversation_id: conversation?.id, typing: on }),
});
$('agree').addEventListener('click', () => {
  setView('chat');
  $('composer').elements.body.focus();
});
$('end').addEventListener('click', () => {
  $('end-confirm').hidden = false;
  $('end-no').focus();
});
$('end-no').addEventListener('click', () => {
  $('end-confirm').hidden = true;
});
$('end-yes').addEventListener('click', endChat);
$('new-chat').addEventListener('click', () => {
  conversation = null;
  thread.clear();
  setView('chat');
  $('composer').elements.body.focus();
});
$('retry').addEventListener('click', start);
if (window.parent === window) $('minimize').hidden = true;
$('minimize').addEventListener('click', () => parent.postMessage({ sodam: 'close' }, settings.origin || '*'));
start();
