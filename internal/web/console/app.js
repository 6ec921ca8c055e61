// The console's entry point: sign-in (and the invitation and password
// links that end in one), the chosen workspace, the page router (#/,
// #/c/ID, #/tickets, #/history, #/settings, #/team, #/audit, #/stats, #/workspaces,
// #/profile), the side bar's controls and the banners over every page.
// index.html is the frame (side bar, banners, the panes and pages); each
// page's markup lives with its element's module.
import { storage } from '../shared/dom.js';
import { TitleAlert } from './alerts.js';
import { Attention } from './attention.js';
import { call, onMemberInactive, onSessionLost } from './api.js';
import './audit.js';
import './conversation.js';
import './deactivated.js';
import './details.js';
import { chooseLanguage, locale, setTimeZone, t } from './i18n.js';
import './history.js';
import { Inbox } from './inbox.js';
import { tabCount } from './list.js';
import { closeLogin, initLogin, openLogin } from './login.js';
import { initPanes } from './panes.js';
import './profile.js';
import { isActive, session } from './session.js';
import './settings.js';
import './stats.js';
import './team.js';
import './tickets.js';
import './time.js';
import { bindShortcuts } from './shortcuts.js';
import { toast } from './toast.js';
import { openWelcome, welcomeLink } from './welcome.js';
import './workspaces.js';

const $ = (selector) => document.querySelector(selector);
const app = $('#app');
const workspaceKey = 'sodam.workspace';

// Who is signed in, as the browser's console tabs share it: the session
// cookie is the browser's, so after a sign-out, or a sign-in as someone
// else, in another tab this one would go on showing the first person's
// console while its requests went as the second. It reloads instead, and
// shows the sign-in form or the new person's console.
const signedInKey = 'sodam.signed-in';
window.addEventListener('storage', (e) => {
  if (e.key === signedInKey && (e.newValue ?? '') !== String(session.agent?.id ?? '')) location.reload();
});
const titleAlert = new TitleAlert();

let inbox = null;
let attention = null; // the sound and notifications of the inbox (attention.js)
let member = null; // the membership the inbox was opened with
let workspaceName = '';
let explaining = 0; // how many of deactivated() and refusedInactive() are finding out whether the agent is still signed in

// Pages other than the chat, and who may open them.
const pages = {
  tickets: () => Boolean(inbox),
  history: () => Boolean(inbox),
  settings: () => Boolean(inbox),
  team: () => Boolean(inbox?.seesAll),
  audit: () => Boolean(inbox?.isMaster),
  stats: () => Boolean(inbox),
  workspaces: () => session.owner,
  profile: () => Boolean(session.agent),
};

async function boot() {
  await locale.set(locale.lang); // translate the page into the remembered or browser language
  initPanes(app);
  const link = welcomeLink(location);
  if (link) {
    openWelcome(link, (me) => {
      history.replaceState(null, '', '/console/');
      signedIn(me);
    }, () => {
      history.replaceState(null, '', '/console/');
      start();
    });
    return;
  }
  start();
}

async function start() {
  try {
    signedIn(await call('GET', '/me'));
  } catch (err) {
    showLogin(err.status === 401 ? '' : locale.errorText(err));
  }
}

function showLogin(message) {
  inbox?.stop();
  inbox = null;
  member = null;
  session.clear();
  workspaceName = '';
  app.hidden = true;
  updateTitle();
  openLogin(message);
}

// signedIn opens the console for a sign-in's (or GET /me's) answer: the
// agent's language when they chose one, and the workspace the address
// names (?ws=ID, as an alert's link does) or else the one last used.
function signedIn(me) {
  if (!me.memberships?.length) return showLogin(t('error.workspace_not_found'));
  session.set(me);
  storage.set(signedInKey, String(me.agent.id));
  if (me.agent.language && me.agent.language !== locale.lang) chooseLanguage(me.agent.language);
  closeLogin();
  app.hidden = false;
  const linked = Number(new URLSearchParams(location.search).get('ws'));
  // The link chooses once: a reload after switching keeps the switch.
  if (linked) history.replaceState(null, '', '/console/' + location.hash);
  const saved = Number(storage.get(workspaceKey));
  const active = session.active;
  const chosen = active.find((m) => m.workspace_id === linked) ?? active.find((m) => m.workspace_id === saved) ?? active[0];
  if (chosen) openWorkspace(chosen);
  else showDeactivated(me.memberships.find((m) => m.workspace_id === saved) ?? me.memberships[0]);
  fillWorkspacePicker();
}

// showIdentity puts the agent's initial on the avatar and their name in
// the account menu, and shows the pages their roles open.
function showIdentity() {
  const agent = session.agent;
  if (!agent) return;
  const avatar = $('#avatar');
  avatar.textContent = [...agent.name.trim()][0] ?? '?';
  avatar.title = `${agent.name} <${agent.email}>`;
  $('#account-name').textContent = agent.name;
  $('#account-email').textContent = agent.email;
  gateNav();
}

function gateNav() {
  for (const [name, allowed] of Object.entries(pages)) {
    for (const link of document.querySelectorAll(`[data-page-link=${name}]`)) {
      if (name !== 'tickets' && name !== 'settings' && name !== 'stats') link.hidden = !allowed();
    }
  }
}

// fillWorkspacePicker offers the workspaces the agent may open: their
// active memberships', archived ones left out.
let pickerFills = 0; // only the latest fill's answer is shown

async function fillWorkspacePicker() {
  const picker = $('#workspace-picker');
  const members = session.active;
  const n = ++pickerFills;
  let workspaces = [];
  if (members.length > 1) {
    try {
      workspaces = (await call('GET', '/workspaces')).workspaces;
    } catch {
      workspaces = await Promise.all(members.map((m) => call('GET', `/workspaces/${m.workspace_id}`).catch(() => null)));
    }
  }
  if (n !== pickerFills) return;
  const byId = new Map(workspaces.filter(Boolean).map((w) => [w.id, w]));
  const choices = members.map((m) => byId.get(m.workspace_id)).filter((w) => w && !w.archived_at);
  const select = $('#workspace-select');
  if (choices.length < 2 || !inbox) {
    picker.hidden = true;
    $('#workspace-name').hidden = false;
    return;
  }
  select.replaceChildren(...choices.map((w) => new Option(w.name, w.id)));
  select.value = inbox.workspaceId;
  picker.hidden = false;
  $('#workspace-name').hidden = true;
}

// switchWorkspace opens another of the agent's workspaces, on its chat.
function switchWorkspace(id) {
  const m = session.active.find((x) => x.workspace_id === id);
  if (!m) return;
  location.hash = '#/';
  openWorkspace(m);
  $('#workspace-select').value = id;
}

async function openWorkspace(m) {
  inbox?.stop();
  attention?.stop();
  member = m;
  storage.set(workspaceKey, m.workspace_id);
  inbox = new Inbox(m, session.agent);
  attention = new Attention(inbox);
  $('#shortcuts').attach(inbox);
  showStatus(m.status);
  for (const a of [$('#try-link'), $('#account-try')]) a.href = `/console/try?ws=${m.workspace_id}`;
  inbox.addEventListener('change', updateTitle);
  inbox.addEventListener('member', (e) => memberChanged(e.detail));
  inbox.addEventListener('deactivated', () => deactivated(m.workspace_id));
  inbox.addEventListener('connection', (e) => showConnection(e.detail));
  inbox.addEventListener('workspace', (e) => showWorkspace(e.detail));
  inbox.addEventListener('tickets', showTicketCount);
  showWorkspace(null);
  showTicketCount();
  for (const el of document.querySelectorAll('sodam-conversation-list, sodam-conversation, sodam-details, sodam-tickets, sodam-history, sodam-settings, sodam-team, sodam-audit, sodam-stats')) {
    el.attach(inbox);
  }
  inbox.start();
  gateNav();
  route();
}

// memberChanged follows this agent's membership: the status, and a new
// role, which changes what every page offers (the workspace reopens).
function memberChanged(m) {
  showStatus(m.status);
  if (m.role && m.role !== member.role && isActive(m)) {
    const { name, email, ...rest } = m;
    openWorkspace({ ...member, ...rest });
  }
}

// deactivated is called when the open workspace says a master
// deactivated this agent (an event, or a 403 member_inactive), or that
// its owner archived it: the socket stops instead of reconnecting, and
// the page says why. An archived workspace is no longer among the
// agent's memberships; a deactivation leaves it there, inactive.
// When the agent is active in no other workspace the server has also
// ended their sessions: the page says so, and signing in again leads here.
async function deactivated(workspaceId) {
  if (!inbox || inbox.workspaceId !== workspaceId) return;
  const m = member;
  const name = workspaceName;
  // Stop first: the socket the server closes must not reconnect, nor a
  // refused reconnection sign the agent out before the page says why.
  // A request still on its way is answered 401 when the deactivation
  // ended the sessions: the page explains that too (sessionLost).
  inbox.stop();
  const signedOut = await reloadExplaining();
  const archived = !signedOut && !session.membership(workspaceId);
  showDeactivated(session.membership(workspaceId) ?? m, { name, signedOut, archived });
  if (!signedOut) fillWorkspacePicker();
}

// refusedInactive follows a request the workspace refused with 403
// member_inactive. The code names whoever the request would act as or
// hand work to: this agent, deactivated meanwhile, or a colleague chosen
// as a transfer's or a ticket's assignee whom a master deactivated since
// the list was drawn. Only a membership that now reads inactive (or a
// session that is gone) is this agent's deactivation; a colleague's is the
// request's own refusal, which the page that sent it shows.
async function refusedInactive(workspaceId) {
  if (!inbox || inbox.workspaceId !== workspaceId) return;
  const signedOut = await reloadExplaining();
  const m = session.membership(workspaceId);
  if (!signedOut && m && isActive(m)) return; // a colleague's, or not known: the request's own refusal
  deactivated(workspaceId);
}

// reloadExplaining reads the session again while the page explains a
// deactivation (explaining: a 401 meanwhile must not sign out first),
// and reports whether the session is gone.
async function reloadExplaining() {
  explaining++;
  try {
    await session.reload();
    return false;
  } catch (err) {
    return err.status === 401;
  } finally {
    explaining--;
  }
}

function showDeactivated(m, { name = '', signedOut = false, archived = false } = {}) {
  inbox?.stop();
  inbox = null;
  member = null;
  showConnection('stopped');
  $('#reconnecting').hidden = true;
  $('#operation-banner').hidden = true;
  showWorkspaceName('');
  gateNav();
  app.dataset.page = 'deactivated';
  markCurrent();
  $('#deactivated-page').show(m, {
    name,
    signedOut,
    archived,
    open: (id) => switchWorkspace(id),
    retry: async () => {
      try {
        await session.reload();
      } catch (err) {
        if (err.status === 401) showLogin('');
        return;
      }
      const again = session.active.find((x) => x.workspace_id === m?.workspace_id);
      if (again) openWorkspace(again);
      else toast(t(archived ? 'deactivated.archived_still' : 'deactivated.still'));
      fillWorkspacePicker();
    },
  });
}

// showWorkspace shows the workspace's name and whether its operation is
// stopped (a banner over every page, since nobody can send meanwhile).
function showWorkspace(ws) {
  setTimeZone(ws?.settings?.business_hours?.time_zone);
  showWorkspaceName(ws?.name ?? '');
  $('#operation-banner').hidden = !ws?.settings?.operation_stopped;
}

// showTicketCount puts the number of unread To check tickets on the side bar.
function showTicketCount() {
  const n = inbox ? inbox.ticketCount : 0;
  const badge = $('#tickets-count');
  badge.hidden = n === 0;
  badge.textContent = tabCount(n);
  badge.closest('a').title = n ? t('nav.tickets_count', { n }) : t('nav.tickets');
  $('#tickets-count-label').textContent = n ? t('nav.tickets_count', { n }) : '';
}

function showWorkspaceName(name) {
  workspaceName = name;
  $('#workspace-name').textContent = name;
  updateTitle();
}

function updateTitle() {
  const base = workspaceName ? `${workspaceName} · ${t('app.title')}` : t('app.title');
  titleAlert.update(base, inbox ? inbox.attention() : { count: 0 });
}

function showStatus(status) {
  // Online is when a call for chats makes sense: offer notifications then.
  if (status === 'online') $('sodam-alert-settings').offer?.();
  $('#status').value = status;
  $('#status').closest('.status').dataset.status = status;
}

async function changeStatus(e) {
  const select = e.target;
  const wanted = select.value;
  const before = select.closest('.status').dataset.status;
  try {
    showStatus((await inbox.request('PUT', '/me/status', { status: wanted })).status);
  } catch (err) {
    showStatus(before);
    toast(locale.errorText(err));
  }
}

function showConnection(state) {
  const el = $('#connection');
  el.dataset.state = state;
  el.setAttribute('aria-label', t('connection.' + state));
  el.title = t('connection.' + state);
  $('#reconnecting').hidden = state !== 'reconnecting';
  if (state === 'reconnecting') checkSession();
}

// checkSession tells a dropped socket from an ended session or a
// deactivated membership, which the socket cannot report (a refused
// handshake looks like any other failure).
async function checkSession() {
  const wid = inbox?.workspaceId;
  try {
    await session.reload();
  } catch (err) {
    if (err.status === 401) showLogin(t('error.unauthorized'));
    return;
  }
  if (wid && inbox?.workspaceId === wid && !isActive(session.membership(wid))) deactivated(wid); // or archived
}

// route shows the page the URL's fragment names.
function route() {
  const [, page, id] = location.hash.match(/^#\/(c|[a-z]+)?\/?(\d+)?/) ?? [];
  if (!inbox && !(page in pages && page !== 'tickets' && page !== 'settings' && page !== 'stats' && pages[page]())) {
    if (session.agent && app.dataset.page !== 'deactivated') app.dataset.page = 'deactivated';
    markCurrent();
    return;
  }
  if (page in pages && !pages[page]()) {
    location.replace('#/');
    return;
  }
  app.dataset.page = page in pages ? page : 'chat';
  markCurrent();
  const el = page in pages ? $(`#${page}-page`) : null;
  if (el) {
    el.show(inbox, id);
    return;
  }
  const open = page === 'c' ? Number(id) : 0;
  app.dataset.view = open ? 'conversation' : 'list';
  if (open !== inbox.openId) inbox.open(open);
}

function markCurrent() {
  for (const link of document.querySelectorAll('[data-page-link]')) {
    if (link.dataset.pageLink === app.dataset.page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  $('#avatar').toggleAttribute('data-current', app.dataset.page === 'profile');
}

async function logout() {
  await call('POST', '/auth/logout').catch(() => {});
  storage.remove(signedInKey);
  history.replaceState(null, '', location.pathname);
  showLogin('');
}

// Buttons that only change which pane a phone shows, and sign-out.
const actions = {
  back: () => {
    location.hash = '#/';
  },
  info: () => {
    app.dataset.view = 'info';
  },
  'hide-info': () => {
    app.dataset.view = 'conversation';
  },
  logout,
};

initLogin(signedIn);
$('#status').addEventListener('change', changeStatus);
$('#workspace-select').addEventListener('change', (e) => switchWorkspace(Number(e.target.value)));
// The language chosen in the side bar is the agent's, on every computer:
// it is saved to their profile too.
for (const item of document.querySelectorAll('#lang-menu [data-lang], #account-menu [data-lang]')) {
  item.addEventListener('click', () => {
    chooseLanguage(item.dataset.lang);
    item.closest('[popover]').hidePopover();
    if (session.agent && session.agent.language !== item.dataset.lang) {
      call('PATCH', '/me', { language: item.dataset.lang }).then((a) => session.setAgent(a)).catch(() => {});
    }
  });
}
// The account and language menus behave as menus: opened, the first item
// has the keyboard focus (Tab from the button would first have to find
// them); the arrow keys, Home and End move between the items; Escape
// closes the menu and gives the focus back to its button (the popover's
// own light dismiss); Tab out of it closes it, rather than leave it open
// over the page the focus went on to.
const menuItems = (menu) => [...menu.querySelectorAll('[role^=menuitem]')].filter((item) => item.checkVisibility());
for (const menu of [$('#lang-menu'), $('#account-menu')]) {
  menu.addEventListener('toggle', (e) => {
    for (const item of menu.querySelectorAll('[data-lang]')) {
      item.setAttribute('aria-checked', String(item.dataset.lang === locale.lang));
    }
    if (e.newState === 'open') menuItems(menu)[0]?.focus();
  });
  menu.addEventListener('keydown', (e) => {
    const items = menuItems(menu);
    const at = items.indexOf(document.activeElement);
    const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[e.key];
    if (next === undefined || !items.length) return;
    e.preventDefault();
    items[(next + items.length) % items.length].focus();
  });
  // Not when the focus goes to the menu's own button: a click there
  // toggles the menu itself, and closing it first would have the click
  // open it again.
  menu.addEventListener('focusout', (e) => {
    const to = e.relatedTarget;
    if (to && !menu.contains(to) && to.getAttribute('popovertarget') !== menu.id && menu.matches(':popover-open')) menu.hidePopover();
  });
}
// A link or button in the account menu closes it.
$('#account-menu').addEventListener('click', (e) => {
  if (e.target.closest('a, button')) $('#account-menu').hidePopover();
});
locale.addEventListener('change', () => {
  updateTitle();
  showConnection($('#connection').dataset.state);
  showTicketCount();
});
session.addEventListener('change', showIdentity);
document.addEventListener('click', (e) => {
  const action = e.target.closest('[data-action]')?.dataset.action;
  actions[action]?.();
});
document.addEventListener('visibilitychange', () => {
  inbox?.seen();
  if (document.visibilityState === 'hidden') inbox?.flush();
});
// A conversation opened just before leaving stays seen after coming back.
addEventListener('pagehide', () => inbox?.flush());
addEventListener('hashchange', route);
// Pages that change the agent's workspaces (a new one, an archived one)
// ask for the picker to be filled again.
addEventListener('sodam:workspaces', () => fillWorkspacePicker());
addEventListener('sodam:open-workspace', (e) => switchWorkspace(e.detail));
addEventListener('sodam:profile', () => inbox?.loadMembers().catch(() => {}));
bindShortcuts($('#shortcuts'), () => Boolean(inbox) && app.dataset.page === 'chat');
// A 401 while the deactivated page explains (or is about to) is part of
// what it explains: its own buttons handle a sign-in that is gone.
onSessionLost(() => {
  if (!explaining && app.dataset.page !== 'deactivated') showLogin(t('error.unauthorized'));
});
onMemberInactive((wid) => refusedInactive(wid));
boot();
