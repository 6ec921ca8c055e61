// The chat inside the widget iframe: the visitor's session, privacy
// consent, the conversation and its live updates with the visitor's place
// in the queue, and when chats are not taken (outside hours, nobody online,
// operation stopped) the leave-a-message form. A blocked customer sees a
// polite notice and no composer. Once an agent has replied the visitor may
// rate the chat, during it or after it ended, once. Files go one per
// message, checked against the workspace's rules first, with their
// upload's progress.
import { bindComposer } from '../shared/composer.js';
import { h, stars, storage } from '../shared/dom.js';
import { acceptList, attachmentView, draftView, fileProblem, setProgress, upload } from '../shared/files.js';
import { LiveSocket, socketURL } from '../shared/live.js';
import { knownTimeZone } from '../shared/locale.js';
import { newClientMsgID, request, retry } from '../shared/net.js';
import { MESSAGE_PAGE, Thread } from '../shared/thread.js';
import { FAQPanel } from './faq.js';
import { locale, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const siteID = new URLSearchParams(location.search).get('site_id') ?? '';
const settings = readSettings();
const tokenKey = 'sodam.visitor.' + siteID;
const typingTimeout = 6000;

let token = '';
let conversation = null; // the open conversation, once there is one
let creating = null; // the request creating it, while in flight
let socket = null;
let reconnected = false; // the socket dropped once: its next 'live' is a return
let typingTimer = 0;
let flashTimer = 0;
let consentText = ''; // empty when the workspace asks for no consent
let consented = false;
let availability = 'available'; // or why chats are not taken now
let operationStopped = false; // the master stopped operation (§6)
let queuePosition = 0; // the visitor's place in the queue, 0 when not queued
let afterConsent = 'chat'; // the view the consent step leads to
let fileRules = null; // which files the visitor may send (the config's attachments)
let robotEnabled = false; // the robot answers new conversations first
let carried = ''; // a message the ended chat refused, for the next chat's composer
let reopenTimer = 0; // looks again when the desk reopens (recheck)

await locale.set(settings.language || navigator.language);
const thread = new Thread($('messages'), renderMessage, $('scroller'), { t, live: $('messages-live') });
// Times are shown in the workspace's time zone, as the console shows them
// (the config's time_zone), with the zone in the exact time on hover; the
// browser's until the config arrives, or for a zone it does not know.
let clock, fullClock;
function setTimeZone(zone) {
  const timeZone = knownTimeZone(zone);
  clock = new Intl.DateTimeFormat(locale.lang, { hour: 'numeric', minute: '2-digit', timeZone });
  fullClock = new Intl.DateTimeFormat(locale.lang, { dateStyle: 'long', timeStyle: 'long', timeZone });
}
setTimeZone();
const visitorAuth = () => (token ? { Authorization: 'Bearer ' + token } : null);
const faqPanel = new FAQPanel($('faq'), { siteID, lang: locale.lang, t, errorText: locale.errorText, auth: visitorAuth, onAgent: () => talkToAgent() });

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

// api sends a widget request, with the visitor's token and the widget's
// language as Accept-Language (a refusal's message is worded in it).
function api(method, path, body, { page = false } = {}) {
  const headers = { 'Accept-Language': locale.lang, ...(token ? { Authorization: 'Bearer ' + token } : {}) };
  return request(method, '/api/v1/widget' + path, { body, headers, page });
}

// messagesBefore reads a page of the conversation's messages from its end:
// the last ones (before 0) or those before a seq (thread.js).
async function messagesBefore(id, before) {
  const { items, earlier } = await api('GET', `/conversations/${id}/messages?before=${before}&limit=${MESSAGE_PAGE}`, undefined, { page: true });
  return { messages: items, earlier };
}

// Views: loading, consent, chat, ended, leave (the leave-a-message form),
// sent (its thank-you), blocked, failure.
function setView(view) {
  $('chat').dataset.view = view;
  $('end').hidden = !(view === 'chat' && conversation);
  if (view !== 'chat') $('end-confirm').hidden = true;
  showQueue();
  showStopped();
  showRating();
  showBotbar();
}

// showStopped tells a visitor in a chat that operation is stopped: no
// agent can answer until it resumes (§6), though what they write is kept.
function showStopped() {
  const el = $('stopped');
  const on = operationStopped && $('chat').dataset.view === 'chat';
  el.hidden = !on;
  el.textContent = on ? t('chat.stopped') : '';
  showQueue();
}

// refreshConfig reads the widget's config again — the availability line
// under the title — keeping the chat as it is.
function refreshConfig() {
  request('GET', '/api/v1/widget/config?' + new URLSearchParams({ site_id: siteID, lang: locale.lang }))
    .then(applyConfig)
    .catch(() => {});
}

function setConnection(state) {
  const el = $('connection');
  el.dataset.state = state;
  el.textContent = state === 'connecting' || state === 'reconnecting' ? t('connection.' + state) : '';
}

// reopening is when the desk opens again (outside its hours), in the
// workspace's time zone: "12월 7일 (월) 오전 9:00". A visitor whose
// computer is in another zone is told which ("… GMT+9"): read as their
// own clock's, the hour was wrong by the zones' difference.
function reopening(config) {
  const timeZone = knownTimeZone(config.time_zone);
  const elsewhere = timeZone && timeZone !== new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return new Intl.DateTimeFormat(locale.lang, { weekday: 'short', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit',
    timeZone, ...(elsewhere ? { timeZoneName: 'short' } : {}) }).format(new Date(config.reopens_at));
}

function applyConfig(config) {
  const title = config.title || config.name || t('title');
  $('title').textContent = $('title').title = title;
  document.title = title;
  if (/^#[0-9a-f]{6}$/i.test(config.color ?? '')) {
    const style = document.documentElement.style;
    style.setProperty('--brand', config.color);
    style.setProperty('--on-brand', readableOn(config.color));
  }
  // Servers before availability existed said only whether agents were online.
  availability = config.availability ?? (config.agents_online ? 'available' : 'nobody_online');
  const reason = availability === 'available' ? 'online' : availability;
  $('availability').textContent = $('availability').title = t(locale.has('availability.' + reason) ? 'availability.' + reason : 'availability.nobody_online');
  $('offline').dataset.reason = availability;
  operationStopped = availability === 'operation_stopped';
  showStopped();
  $('offline').replaceChildren(t(locale.has('leave.reason.' + availability) ? 'leave.reason.' + availability : 'leave.reason.nobody_online'),
    ...(config.reopens_at ? [h('span', { class: 'reopens', dataset: { testid: 'widget-reopens' } }, t('leave.reopens', { when: reopening(config) }))] : []));
  consentText = config.consent_text ?? '';
  $('consent-text').textContent = consentText;
  fileRules = config.attachments ?? null;
  $('file').accept = acceptList(fileRules);
  robotEnabled = Boolean(config.robot);
  setTimeZone(config.time_zone);
  // At the reopening the widget looks again, in case the page is left open.
  clearTimeout(reopenTimer);
  const wait = config.reopens_at ? Date.parse(config.reopens_at) - Date.now() : NaN;
  if (wait >= 0) reopenTimer = setTimeout(recheck, Math.min(wait + 1000, 24 * 3600 * 1000));
}

// recheck reads the config again for a visitor without a chat, and moves
// them between the chat and the leave-a-message form when chats began or
// stopped being taken since the widget chose: the frame lives as long as
// the page, so a visitor who met the lunch break, or nobody online, found
// the form still when they opened the chat again later, saying the desk
// reopens at an hour already past. A form or composer holding the
// visitor's words is left as it is (a send that is refused carries them
// to the form).
async function recheck() {
  const view = $('chat').dataset.view;
  if (conversation || creating || !['consent', 'chat', 'leave'].includes(view)) return;
  try {
    applyConfig(await request('GET', '/api/v1/widget/config?' + new URLSearchParams({ site_id: siteID, lang: locale.lang })));
  } catch {
    return;
  }
  if (conversation || creating || $('chat').dataset.view !== view) return;
  const robotTakes = robotEnabled && availability !== 'operation_stopped';
  const next = availability === 'available' || robotTakes ? 'chat' : 'leave';
  if (view === 'consent') afterConsent = next;
  if (view === 'consent' || view === next) return;
  const typed = view === 'leave'
    ? ['name', 'contact', 'message'].some((f) => $('leave').elements[f].value.trim() !== '')
    : $('composer').elements.body.value.trim() !== '';
  if (!typed) setView(next);
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
    if (settings.verifiedPhone) {
      body.verified_phone = String(settings.verifiedPhone);
      body.verified_phone_sig = String(settings.verifiedPhoneSig ?? '');
    }
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

function loadConfig() {
  const query = new URLSearchParams({ site_id: siteID, lang: locale.lang });
  return retry(() => request('GET', '/api/v1/widget/config?' + query), () => setConnection('reconnecting'))
    .then((config) => {
      setConnection('idle');
      applyConfig(config);
    });
}

async function start() {
  setView('loading');
  try {
    await loadConfig();
    const session = await openSession();
    setConnection('idle');
    token = session.visitor_token;
    storage.set(tokenKey, token);
    consented = Boolean(session.consented); // asked once per wording, recorded by the server
    if (session.blocked) setView('blocked');
    else if (session.conversation && session.conversation.state !== 'closed') await resume(session.conversation);
    else startFresh();
  } catch (err) {
    setConnection('idle');
    $('failure').textContent = locale.errorText(err);
    setView('failure');
  }
}

// startFresh shows a visitor without a conversation the chat, or the
// leave-a-message form when chats are not taken now; either after the
// consent step when the workspace has consent text. The robot takes chats
// at any hour, but not while operation is stopped (§6).
function startFresh() {
  const robotTakes = robotEnabled && availability !== 'operation_stopped';
  afterConsent = availability === 'available' || robotTakes ? 'chat' : 'leave';
  setView(consentText && !consented ? 'consent' : afterConsent);
}

// showLeave switches to the leave-a-message form, keeping what the visitor
// already typed.
async function showLeave(text = '') {
  await loadConfig().catch(() => {});
  const message = $('leave').elements.message;
  if (text && !message.value.trim()) message.value = text;
  afterConsent = 'leave';
  setView(consentText && !consented ? 'consent' : 'leave');
}

async function resume(conv) {
  conversation = conv;
  queuePosition = conv.queue_position ?? 0;
  setView('chat');
  connect();
  const { messages, earlier } = await retry(() => messagesBefore(conv.id, 0));
  for (const msg of messages) thread.add(msg);
  thread.earlier(earlier, (before) => messagesBefore(conv.id, before));
  thread.scrollToEnd();
  showReceipt();
  reportRead();
  countUnread(conv, messages);
}

function connect() {
  const id = conversation.id;
  socket?.stop();
  // The token goes in the handshake's protocols, not the URL: a proxy's
  // access log keeps URLs.
  socket = new LiveSocket(
    (after) => socketURL('/api/v1/widget/ws', { conversation_id: id, after }),
    { event: onEvent, typing: onTyping, state: socketState, queue: onQueue },
    0,
    () => ['sodam', 'sodam.token.' + token],
  );
  socket.start();
}

function socketState(state) {
  setConnection(state);
  if (state === 'reconnecting') checkClosed();
  // Back after a drop: operation may have stopped or resumed meanwhile,
  // which a visitor's replay does not carry.
  if (state === 'live' && reconnected) refreshConfig();
  if (state === 'reconnecting') reconnected = true;
}

// checkClosed tells a dropped socket from a closed chat, which a refused
// reconnection cannot say: a workspace archived meanwhile answers 404,
// and the widget says so instead of reconnecting for ever.
async function checkClosed() {
  try {
    await request('GET', '/api/v1/widget/config?' + new URLSearchParams({ site_id: siteID, lang: locale.lang }));
  } catch (err) {
    if (err.code !== 'workspace_not_found') return;
    socket?.stop();
    socket = null;
    setConnection('idle');
    $('failure').textContent = locale.errorText(err);
    setView('failure');
  }
}

function onEvent(event) {
  // Operation stopped or resumed, whatever the conversation (§6): the
  // notice at once, then the availability line from the config.
  if (event.type === 'workspace.updated' && typeof event.operation_stopped === 'boolean') {
    operationStopped = event.operation_stopped;
    showStopped();
    refreshConfig();
    return;
  }
  if (event.message?.conversation_id === conversation?.id) {
    const fresh = thread.add(event.message, { announce: true });
    reportRead();
    if (event.message.sender_type === 'agent') {
      showTyping(false);
      // The page counts it on the launcher while the chat is closed.
      if (fresh && window.parent !== window) parent.postMessage({ sodam: 'unread' }, settings.origin || '*');
    }
  }
  if (event.conversation) applyConversation(event.conversation);
}

function onQueue(frame) {
  queuePosition = frame.position;
  showQueue();
}

// showQueue says where the visitor stands while nobody has taken the chat.
function showQueue() {
  const el = $('queue');
  // Not while operation is stopped: no agent is coming (showStopped says so).
  const queued = $('chat').dataset.view === 'chat' && conversation?.state === 'unassigned' && queuePosition > 0 && !operationStopped;
  el.hidden = !queued;
  el.dataset.position = queued ? queuePosition : 0;
  el.textContent = queued ? t('queue', { n: queuePosition }) : '';
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
  if (conv.state !== 'unassigned') queuePosition = 0;
  else if (conv.queue_position) queuePosition = conv.queue_position;
  if (conv.state === 'closed') ended(conv);
  else showQueue();
  showRating();
  showReceipt();
  showBotbar();
}

// showBotbar offers "Talk to an agent" while the robot holds the chat (or
// before it starts, when the robot will), and "back to the bot" while a
// person does.
function showBotbar() {
  const inChat = $('chat').dataset.view === 'chat';
  const state = conversation?.state;
  const toAgent = inChat && robotEnabled && (!conversation || state === 'bot');
  const toBot = inChat && robotEnabled && ['unassigned', 'waiting', 'active'].includes(state);
  $('to-agent').hidden = !toAgent;
  $('to-bot').hidden = !toBot;
  $('botbar').hidden = !toAgent && !toBot;
}

// talkToAgent hands the chat to a person: the robot's conversation goes
// to routing (starting one first if need be). When nobody can chat now the
// visitor may leave a message instead.
async function talkToAgent() {
  faqPanel.hide();
  if (!robotEnabled) {
    if (availability !== 'available' && !conversation) showLeave();
    else $('composer').elements.body.focus();
    return;
  }
  try {
    // No chat yet: one starts only when a person can take it now. A robot
    // chat started just to be refused the person showed among the robot's
    // chats in the console and, closed when idle, counted as one the robot
    // resolved. (showLeave reads the config again.)
    if (!conversation && !creating) {
      await loadConfig().catch(() => {});
      if (availability !== 'available') {
        showLeave();
        return;
      }
    }
    const conv = await ensureConversation();
    if (conv.state !== 'bot') return;
    applyConversation(await api('POST', `/conversations/${conv.id}/agent`));
  } catch (err) {
    if (err.code === 'chat_unavailable') showLeave();
    else flash(locale.errorText(err));
  }
}

// backToBot ends the chat with the person and starts one with the robot.
async function backToBot() {
  try {
    const conv = await api('POST', `/conversations/${conversation.id}/bot`);
    socket?.stop();
    socket = null;
    thread.clear();
    await resume(conv);
  } catch (err) {
    flash(locale.errorText(err));
  }
}

// Read receipts (§2.7), both ways. The visitor's side: while the chat is
// open on the page (the loader says when it shows or hides the frame) and
// the page is visible (Page Visibility API), the widget reports the last
// message shown, so the agent sees "read". The agent's side: "읽음" under
// the visitor's last message the agent has read.
// The loader creates the frame shown, or hidden on a later page of the
// site to count unread replies; it says so in the settings and whenever
// it changes.
let shown = settings.shown !== false;
let readSent = 0; // the last seq reported
let readTimer = 0;

function reportRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const seq = thread.lastSeq;
    const id = conversation?.id;
    if (!id || !token || !shown || document.visibilityState !== 'visible' || seq <= readSent) return;
    readSent = seq;
    api('POST', `/conversations/${id}/read`, { seq }).catch(() => {
      readSent = 0; // said again at the next chance
    });
  }, 250);
}

function showReceipt() {
  const readSeq = conversation?.agent_read_seq ?? 0;
  let last = null;
  for (const li of $('messages').querySelectorAll('li[data-sender=visitor][data-seq]')) {
    if (Number(li.dataset.seq) <= readSeq) last = li;
  }
  for (const old of $('messages').querySelectorAll('.receipt')) {
    if (old.parentElement !== last) old.remove();
  }
  // Beside the time (frame.css): nothing moves.
  if (last && !last.querySelector('.receipt')) last.querySelector('.meta-line').prepend(h('span', { class: 'receipt', dataset: { testid: 'widget-read-receipt' } }, t('read')));
}

document.addEventListener('visibilitychange', () => {
  reportRead();
  if (shown && document.visibilityState === 'visible') recheck();
});
if (window.parent !== window) parent.postMessage({ sodam: 'ready' }, settings.origin || '*');

// countUnread tells the page, while the chat is hidden, how many of the
// agent's messages the visitor has not read: the launcher's badge.
function countUnread(conv, messages) {
  if (shown || window.parent === window) return;
  const read = conv.visitor_read_seq ?? 0;
  const count = messages.filter((m) => m.sender_type === 'agent' && m.seq > read).length;
  parent.postMessage({ sodam: 'unread', count }, settings.origin || '*');
}
addEventListener('message', (e) => {
  if (e.source !== window.parent || window.parent === window || e.data?.sodam !== 'shown') return;
  shown = Boolean(e.data.shown);
  reportRead();
  if (shown) recheck();
});

// canRate says whether the visitor may rate the conversation now (an
// agent replied and it is not rated yet), as the server tells.
const canRate = () => Boolean(conversation?.can_rate);

// showRating offers the rating (the header's button and the button of each
// rating request) while the visitor may rate, in the chat or once ended.
function showRating() {
  const view = $('chat').dataset.view;
  const here = view === 'chat' || view === 'ended';
  $('rate').hidden = !(here && canRate());
  for (const button of document.querySelectorAll('.rate-inline')) button.hidden = !canRate();
  if (!here || !conversation) {
    $('rating').hidden = true;
    $('rating-thanks').hidden = true;
  }
}

// hideBack hides el, a part of the chat that opened over it (the end
// question, the rating form), and gives the keyboard focus back to back,
// what opened it, when the focus was inside: hidden with the focus in it,
// el would drop the focus to the page's start and a keyboard or
// screen-reader user would lose their place.
function hideBack(el, back) {
  const focused = el.contains(document.activeElement);
  el.hidden = true;
  if (focused && back?.isConnected && back.checkVisibility()) back.focus();
}

let ratingOpener = null; // the button that opened the rating form

function openRating() {
  const form = $('rating');
  ratingOpener = document.activeElement;
  form.reset();
  $('rating-stars').dataset.score = '0';
  $('rating-error').textContent = '';
  $('rating-thanks').hidden = true;
  $('end-confirm').hidden = true;
  form.hidden = false;
  form.elements.score[0].focus();
}

// rate sends the stars and comment. A second rating (409 already_rated,
// say from another tab) is thanked as the first was.
async function rate(e) {
  e.preventDefault();
  const form = $('rating');
  const score = Number(new FormData(form).get('score'));
  if (!score) {
    $('rating-error').textContent = t('rating.score_required');
    return;
  }
  form.elements.submit.disabled = true;
  try {
    const conv = await api('POST', `/conversations/${conversation.id}/rating`, { score, comment: form.elements.comment.value.trim() });
    form.hidden = true;
    applyConversation(conv);
    ratingDone('rating.thanks');
  } catch (err) {
    if (err.code === 'already_rated') {
      form.hidden = true;
      conversation = { ...conversation, can_rate: false };
      ratingDone('rating.already');
    } else {
      $('rating-error').textContent = locale.errorText(err);
    }
  } finally {
    form.elements.submit.disabled = false;
  }
}

function ratingDone(key) {
  const thanks = $('rating-thanks');
  thanks.textContent = t(key);
  thanks.hidden = false;
  showRating();
}

// ended shows that the chat is over and, when it was not the visitor who
// ended it, why.
function ended(conv) {
  socket?.stop();
  socket = null;
  showTyping(false);
  setConnection('idle');
  if (conv.close_reason === 'blocked') {
    setView('blocked');
    return;
  }
  const text = $('ended-text');
  const reason = conv.close_reason ?? '';
  text.dataset.reason = reason;
  text.textContent = t(locale.has('ended.' + reason) ? 'ended.' + reason : 'ended');
  setView('ended');
}

// ensureConversation creates the conversation on the visitor's first
// message, so agents never see empty requests.
function ensureConversation() {
  if (conversation) return Promise.resolve(conversation);
  creating ??= retry(() => api('POST', '/conversations', { consent: true }))
    .then((conv) => {
      conversation = conv;
      queuePosition = conv.queue_position ?? 0;
      $('end').hidden = false;
      showQueue();
      connect();
      return conv;
    })
    .finally(() => {
      creating = null;
    });
  return creating;
}

// isEndCommand is chat.IsEndCommand: the text that ends the chat (§2.3).
function isEndCommand(text) {
  const s = text.trim();
  return s === '!종료' || s.toLowerCase() === '!end';
}

async function send(text) {
  // Before the first message there is no chat to end: the command starts
  // none (no empty request, no room number used).
  if (!conversation && !creating && isEndCommand(text)) return;
  const id = newClientMsgID();
  thread.addPending(id, { sender_type: 'visitor', body: text });
  try {
    const conv = await ensureConversation();
    const res = await retry(
      () => api('POST', `/conversations/${conv.id}/messages`, { client_msg_id: id, body: text }),
      () => thread.mark(id, 'retrying'),
    );
    // The end command (!종료, !end) closes the chat and stores no message.
    if (res.message) {
      thread.add(res.message);
      showReceipt();
    } else {
      thread.drop(id);
    }
    applyConversation(res.conversation);
  } catch (err) {
    // Chats stopped being taken before this one started: the message
    // goes to the leave-a-message form instead.
    if (!conversation && err.code === 'chat_unavailable') {
      thread.drop(id);
      showLeave(text);
    } else if (err.code === 'customer_blocked') {
      thread.drop(id);
      setView('blocked');
    } else {
      thread.mark(id, 'failed', locale.errorText(err));
      // The chat ended before the socket said so (it was away, or the
      // close crossed this message): show it ended, and keep the text
      // for the next chat's composer.
      if (err.code === 'conversation_closed' && conversation) {
        carried = text;
        if ($('chat').dataset.view === 'chat') ended({ ...conversation, state: 'closed', close_reason: '' });
      }
    }
  }
}

// sendFile checks a file, shows it with its progress and uploads it (the
// first message, file or text, creates the conversation). A network
// failure is retried a few times with the same client_msg_id.
async function sendFile(file) {
  const problem = fileProblem(file, fileRules);
  if (problem) {
    flash(problem === 'file_too_large' ? t('file.too_large', { name: file.name, max: fileRules.max_size_mb })
      : problem === 'file_type_not_allowed' ? t('file.not_allowed', { name: file.name }) : locale.errorText({ code: problem }));
    return;
  }
  const id = newClientMsgID();
  const draft = { sender_type: 'visitor', kind: 'file', body: file.name, file: { name: file.name, size: file.size } };
  thread.addPending(id, draft);
  try {
    const conv = await ensureConversation();
    const res = await retry(
      () => upload(`/api/v1/widget/conversations/${conv.id}/files`, {
        file, clientMsgID: id, headers: { Authorization: 'Bearer ' + token, 'Accept-Language': locale.lang },
        onProgress: (p) => {
          draft.file.progress = p;
          setProgress(thread.draftElement(id), p);
        },
      }),
      () => thread.mark(id, 'retrying'),
      3,
    );
    thread.add(res.message);
    applyConversation(res.conversation);
  } catch (err) {
    if (!conversation && err.code === 'chat_unavailable') {
      thread.drop(id);
      showLeave();
    } else if (err.code === 'customer_blocked') {
      thread.drop(id);
      setView('blocked');
    } else {
      thread.mark(id, 'failed', locale.errorText(err));
    }
  }
}

// looksLikeContact accepts an email address or a phone number of 7 to 20
// digits, as the server does (chat.looksLikeContact).
function looksLikeContact(s) {
  const at = s.indexOf('@');
  if (at > 0 && at < s.length - 1 && !/\s/.test(s)) return s.slice(at).includes('.');
  if (!/^[\d+\-(). ]+$/.test(s)) return false;
  const digits = s.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 20;
}

// plain is a one-line field's value without the invisible characters a
// paste brings along — a phone number copied from a contacts app comes
// wrapped in direction marks (U+202A … U+202C) — which the server refuses
// in a name or a contact (chat.IsControlOrBidi).
const plain = (v) => v.replace(/[\p{Cc}\p{Bidi_Control}]/gu, '').trim();

// leaveMessage checks the form, says what is missing next to each field,
// and sends the message as a ticket for the To check list.
async function leaveMessage(e) {
  e.preventDefault();
  const form = $('leave');
  const f = form.elements;
  const values = { name: plain(f.name.value), contact: plain(f.contact.value), message: f.message.value, website: f.website.value };
  const problems = {
    name: !values.name ? 'leave.name_required' : '',
    contact: !values.contact ? 'leave.contact_required' : !looksLikeContact(values.contact) ? 'leave.contact_invalid' : '',
    message: !values.message.trim() ? 'leave.message_required' : '',
  };
  showLeaveErrors(problems);
  $('leave-error').textContent = '';
  const first = Object.keys(problems).find((k) => problems[k]);
  if (first) {
    f[first].focus();
    return;
  }
  f.submit.disabled = true;
  try {
    // The form shows only after the consent step (when there is a notice):
    // the server records the agreement with the message.
    await api('POST', '/tickets', { ...values, consent: true });
    form.reset();
    setView('sent');
  } catch (err) {
    if (err.code === 'customer_blocked') {
      setView('blocked');
      return;
    }
    // The server names the field it refuses; point at it in the
    // visitor's language.
    const field = err.code === 'invalid_input' && ['name', 'contact'].includes(err.field) ? err.field : '';
    if (field) showLeaveErrors({ [field]: field === 'contact' ? 'leave.contact_invalid' : 'leave.name_required' });
    else if (err.code === 'empty_message') showLeaveErrors({ message: 'leave.message_required' });
    else $('leave-error').textContent = locale.errorText(err);
  } finally {
    f.submit.disabled = false;
  }
}

function showLeaveErrors(problems) {
  const f = $('leave').elements;
  for (const name of ['name', 'contact', 'message']) {
    if (!(name in problems)) continue;
    const key = problems[name];
    $(`leave-${name}-error`).textContent = key ? t(key) : '';
    if (key) f[name].setAttribute('aria-invalid', 'true');
    else f[name].removeAttribute('aria-invalid');
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

// systemText is a system event in the visitor's words; the server sends
// visitors only the events meant for them. Unknown codes are not shown.
function systemText(msg) {
  const meta = msg.meta ?? {};
  switch (msg.body) {
    case 'assigned':
      return t('system.assigned', { agent: meta.agent || t('agent') });
    case 'transferred':
      return t('system.transferred', { agent: meta.to || t('agent') });
    case 'customer_left':
      return t('system.customer_left');
    case 'closed':
      return t(locale.has('system.closed.' + meta.reason) ? 'system.closed.' + meta.reason : 'system.closed');
    case 'rated':
      return t('system.rated', { stars: stars(meta.score) });
    case 'handover':
      return t('system.handover');
  }
  return msg.kind === 'system' ? '' : msg.body;
}

// The greeting reads as the desk's first message; a rating request as the
// desk's message with a button opening the rating.
function renderDeskMessage(msg) {
  const text = msg.body === 'greeting' ? msg.meta?.text : msg.meta?.text || t('rating.request_default');
  return h('li', { class: 'msg theirs desk', dataset: { code: msg.body }, hidden: !text },
    h('span', { class: 'who' }, $('title').textContent),
    h('p', { class: 'bubble' }, text ?? ''),
    msg.body === 'rating_requested' && h('button', {
      type: 'button', class: 'secondary rate-inline', hidden: !canRate(), dataset: { testid: 'widget-rating-request-button' }, onclick: openRating,
    }, t('rating.open')));
}

// renderRobot shows a robot answer: what it says, up to three articles
// that open in the frame, and when it has no answer the way to a person.
function renderRobot(msg) {
  const meta = msg.meta ?? {};
  let articles = [];
  try {
    articles = JSON.parse(meta.articles || '[]');
  } catch {
    articles = [];
  }
  const outcome = ['welcome', 'answered', 'no_answer', 'no_agent'].includes(meta.outcome) ? meta.outcome : 'answered';
  return h('li', { class: 'msg theirs robot', dataset: { code: 'robot', outcome, testid: 'widget-robot' } },
    h('span', { class: 'who' }, meta.robot || t('robot.name')),
    h('p', { class: 'bubble' }, t('robot.' + outcome)),
    articles.length > 0 && h('ul', { class: 'cards' }, articles.map((a) => h('li', {},
      h('button', { type: 'button', class: 'faq-link', dataset: { articleId: a.id, testid: 'widget-robot-article' }, onclick: () => faqPanel.openArticle(a.id) },
        h('span', { class: 'faq-link-title' }, a.title), a.excerpt && h('span', { class: 'faq-link-excerpt' }, a.excerpt))))),
    outcome === 'no_answer' && h('button', { type: 'button', class: 'primary robot-agent', dataset: { testid: 'widget-robot-agent' }, onclick: () => talkToAgent() }, t('robot.to_agent')),
    outcome === 'no_agent' && h('button', { type: 'button', class: 'primary robot-agent', dataset: { testid: 'widget-robot-leave' }, onclick: () => showLeave() }, t('robot.leave')));
}

function renderMessage(msg, status, error) {
  if (msg.sender_type === 'system' && msg.body === 'robot') return renderRobot(msg);
  if (msg.sender_type === 'system' && (msg.body === 'greeting' || msg.body === 'rating_requested')) return renderDeskMessage(msg);
  if (msg.sender_type === 'system') {
    const text = systemText(msg);
    return h('li', { class: 'msg system', dataset: { code: msg.body }, hidden: !text }, text);
  }
  const mine = msg.sender_type === 'visitor';
  const meta = status
    ? h('span', { class: 'meta', role: status === 'failed' ? 'alert' : null }, t('msg.' + status, { error }))
    : h('time', { class: 'meta', datetime: msg.created_at, title: fullClock.format(new Date(msg.created_at)) },
      clock.format(new Date(msg.created_at)));
  let content = h('p', { class: 'bubble' }, msg.body);
  if (msg.kind === 'file') {
    content = msg.attachment
      ? attachmentView(msg.attachment, locale.lang, { open: t('file.open'), download: t('file.download') })
      : draftView(msg.file, locale.lang, t('file.progress'), status);
  }
  return h('li', { class: mine ? 'msg mine' : 'msg theirs', dataset: { kind: msg.kind ?? 'text' } },
    !mine && h('span', { class: 'who' }, msg.sender_name || t('agent')),
    content,
    // Personal information hidden from the visitor's own message (§11).
    mine && msg.masks?.length > 0 && h('span', { class: 'masked-note', dataset: { testid: 'widget-masked-note' } }, t('pii.masked_note')),
    // The time's line also takes the read receipt (showReceipt), so that
    // a receipt coming or going moves nothing.
    h('span', { class: 'meta-line' }, meta));
}

bindComposer($('composer'), {
  send,
  typing: (on) => socket?.send({ type: 'typing', conversation_id: conversation?.id, typing: on }),
});
$('attach').addEventListener('click', () => $('file').click());
$('file').addEventListener('change', () => {
  const chosen = $('file').files[0];
  $('file').value = '';
  if (chosen) sendFile(chosen);
});
$('agree').addEventListener('click', () => {
  consented = true;
  setView(afterConsent);
  if (afterConsent === 'chat') $('composer').elements.body.focus();
  else $('leave').elements.name.focus();
});
$('leave').addEventListener('submit', leaveMessage);
$('leave').addEventListener('input', (e) => {
  if (e.target.name) showLeaveErrors({ [e.target.name]: '' });
});
$('leave-again').addEventListener('click', async () => {
  await loadConfig().catch(() => {});
  startFresh();
});
$('end').addEventListener('click', () => {
  $('end-confirm').hidden = false;
  $('end-no').focus();
});
$('end-no').addEventListener('click', () => hideBack($('end-confirm'), $('end')));
$('end-yes').addEventListener('click', endChat);
$('new-chat').addEventListener('click', async () => {
  conversation = null;
  queuePosition = 0;
  thread.clear();
  readSent = 0;
  await loadConfig().catch(() => {});
  startFresh();
  // The message the ended chat refused waits in the new chat's composer
  // (or the leave-a-message form, when chats are not taken now).
  const body = $('composer').elements.body;
  const message = $('leave').elements.message;
  if (carried && !body.value.trim()) body.value = carried;
  if (carried && !message.value.trim()) message.value = carried;
  carried = '';
  if ($('chat').dataset.view === 'chat') body.focus();
});
$('rate').addEventListener('click', openRating);
$('faq-open').addEventListener('click', () => (faqPanel.open ? faqPanel.hide() : faqPanel.show()));
$('faq-close').addEventListener('click', () => faqPanel.hide());
$('to-agent').addEventListener('click', () => talkToAgent());
$('to-bot').addEventListener('click', backToBot);
$('rating').addEventListener('submit', rate);
$('rating').addEventListener('change', (e) => {
  if (e.target.name === 'score') $('rating-stars').dataset.score = e.target.value;
  $('rating-error').textContent = '';
});
$('rating-cancel').addEventListener('click', () => hideBack($('rating'), ratingOpener));
$('retry').addEventListener('click', start);
if (window.parent === window) $('minimize').hidden = true;
$('minimize').addEventListener('click', () => parent.postMessage({ sodam: 'close' }, settings.origin || '*'));
// Escape closes what is open inside the chat first (the end question, the
// rating form), then asks the page to hide the chat.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || e.isComposing || e.defaultPrevented || window.parent === window) return;
  if (faqPanel.open) faqPanel.hide();
  else if (!$('end-confirm').hidden) hideBack($('end-confirm'), $('end'));
  else if (!$('rating').hidden) hideBack($('rating'), ratingOpener);
  else parent.postMessage({ sodam: 'close' }, settings.origin || '*');
});
start();
