// The console's entry point: sign-in, the chosen workspace, the page router
// (#/, #/c/ID, #/tickets, #/settings), the side bar's controls and the
// banners over every page. index.html is the frame (side bar, banners, the
// panes and pages); each page's markup lives with its element's module.
import { storage } from '../shared/dom.js';
import { TitleAlert } from './alerts.js';
import { call, onSessionLost, setSession } from './api.js';
import './conversation.js';
import './details.js';
import { chooseLanguage, locale, t } from './i18n.js';
import { Inbox } from './inbox.js';
import './list.js';
import { closeLogin, initLogin, openLogin } from './login.js';
import { initPanes } from './panes.js';
import './settings.js';
import './tickets.js';
import './time.js';
import { toast } from './toast.js';

const $ = (selector) => document.querySelector(selector);
const app = $('#app');
const workspaceKey = 'sodam.workspace';
const titleAlert = new TitleAlert();

let agent = null;
let inbox = null;
let workspaceName = '';

async function boot() {
  await locale.set(locale.lang); // translate the page into the remembered or browser language
  initPanes(app);
  try {
    signedIn(await call('GET', '/me'));
  } catch (err) {
    showLogin(err.status === 401 ? '' : locale.errorText(err));
  }
}

function showLogin(message) {
  inbox?.stop();
  inbox = null;
  workspaceName = '';
  app.hidden = true;
  updateTitle();
  openLogin(message);
}

function signedIn(session) {
  const members = session.memberships;
  if (!members.length) return showLogin(t('error.workspace_not_found'));
  agent = session.agent;
  setSession(session.csrf_token);
  closeLogin();
  app.hidden = false;
  const avatar = $('#avatar');
  avatar.textContent = [...agent.name.trim()][0] ?? '?';
  avatar.title = `${agent.name} <${agent.email}>`;
  const saved = Number(storage.get(workspaceKey));
  openWorkspace(members.find((m) => m.workspace_id === saved) ?? members[0]);
  $('#workspace-picker').hidden = true;
  $('#workspace-name').hidden = false;
  if (members.length > 1) fillWorkspacePicker(members).catch((err) => toast(locale.errorText(err)));
}

// fillWorkspacePicker offers every workspace the agent belongs to.
async function fillWorkspacePicker(members) {
  const select = $('#workspace-select');
  const workspaces = await Promise.all(members.map((m) => call('GET', `/workspaces/${m.workspace_id}`)));
  select.replaceChildren(...workspaces.map((w) => new Option(w.name, w.id)));
  select.value = inbox.workspaceId;
  select.onchange = () => {
    location.hash = '#/';
    openWorkspace(members.find((m) => m.workspace_id === Number(select.value)));
  };
  $('#workspace-picker').hidden = false;
  $('#workspace-name').hidden = true;
}

async function openWorkspace(member) {
  inbox?.stop();
  storage.set(workspaceKey, member.workspace_id);
  inbox = new Inbox(member, agent);
  showStatus(member.status);
  $('#try-link').href = `/console/try?ws=${member.workspace_id}`;
  inbox.addEventListener('change', updateTitle);
  inbox.addEventListener('member', (e) => showStatus(e.detail.status));
  inbox.addEventListener('connection', (e) => showConnection(e.detail));
  inbox.addEventListener('workspace', (e) => showWorkspace(e.detail));
  inbox.addEventListener('tickets', showTicketCount);
  showWorkspace(null);
  showTicketCount();
  for (const el of document.querySelectorAll('sodam-conversation-list, sodam-conversation, sodam-details, sodam-tickets, sodam-settings')) {
    el.attach(inbox);
  }
  inbox.start();
  route();
}

// showWorkspace shows the workspace's name and whether its operation is
// stopped (a banner over every page, since nobody can send meanwhile).
function showWorkspace(ws) {
  showWorkspaceName(ws?.name ?? '');
  $('#operation-banner').hidden = !ws?.settings?.operation_stopped;
}

// showTicketCount puts the number of open To check tickets on the side bar.
function showTicketCount() {
  const n = inbox ? inbox.ticketList('open').length : 0;
  const badge = $('#tickets-count');
  badge.hidden = n === 0;
  badge.textContent = n > 99 ? '99+' : n;
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

// checkSession tells a dropped socket from an ended session, which the
// socket cannot report (a refused handshake looks like any other failure).
async function checkSession() {
  try {
    await call('GET', '/me');
  } catch (err) {
    if (err.status === 401) showLogin(t('error.unauthorized'));
  }
}

// route shows the page the URL's fragment names.
function route() {
  if (!inbox) return;
  const [, page, id] = location.hash.match(/^#\/(c|settings|tickets)?\/?(\d+)?/) ?? [];
  app.dataset.page = page === 'settings' || page === 'tickets' ? page : 'chat';
  for (const link of document.querySelectorAll('[data-page-link]')) {
    if (link.dataset.pageLink === app.dataset.page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (page === 'settings') {
    $('#settings-page').show(inbox);
    return;
  }
  if (page === 'tickets') {
    $('#tickets-page').show();
    return;
  }
  const open = page === 'c' ? Number(id) : 0;
  app.dataset.view = open ? 'conversation' : 'list';
  if (open !== inbox.openId) inbox.open(open);
}

// Buttons that only change which pane a phone shows.
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
};

initLogin(signedIn);
$('#status').addEventListener('change', changeStatus);
$('#logout').addEventListener('click', async () => {
  await call('POST', '/auth/logout').catch(() => {});
  history.replaceState(null, '', location.pathname);
  showLogin('');
});
for (const item of document.querySelectorAll('#lang-menu [data-lang]')) {
  item.addEventListener('click', () => {
    chooseLanguage(item.dataset.lang);
    $('#lang-menu').hidePopover();
  });
}
$('#lang-menu').addEventListener('toggle', () => {
  for (const item of document.querySelectorAll('#lang-menu [data-lang]')) {
    item.setAttribute('aria-checked', String(item.dataset.lang === locale.lang));
  }
});
locale.addEventListener('change', () => {
  updateTitle();
  showConnection($('#connection').dataset.state);
  showTicketCount();
});
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
onSessionLost(() => showLogin(t('error.unauthorized')));
boot();
