// <sodam-conversation-list> shows the inbox's conversations by state, with
// the mine/all switch for managers, the flag filter (all, important, on
// hold, both), unread badges, flag icons and live updates. The queue
// (unassigned) lists the longest waiting first, with the time waited. Each
// item links to #/c/ID; the router opens it.
import { h, storage } from '../shared/dom.js';
import { activity, FLAGS, TABS } from './inbox.js';
import { hoverText, label, locale, t } from './i18n.js';
import { customerAvatar, customerName } from './names.js';
import { stamp, template } from './template.js';

const tabKey = 'sodam.tab';
const scopeKey = 'sodam.scope';
const flagKey = 'sodam.flag';

// markup is the element's content, stamped when it is first connected.
const markup = template(`
<div class="tabs" role="tablist" data-i18n-attr="aria-label:list.label">
  <button type="button" role="tab" data-tab="mine" data-i18n-attr="title:tab.mine_help" data-testid="tab-mine"><span class="tab-label"><span data-i18n="tab.mine"></span><span class="count"></span></span></button>
  <button type="button" role="tab" data-tab="unassigned" data-i18n-attr="title:tab.unassigned_help" data-testid="tab-unassigned"><span class="tab-label"><span data-i18n="tab.unassigned"></span><span class="count"></span></span></button>
  <button type="button" role="tab" data-tab="waiting" data-testid="tab-waiting"><span class="tab-label"><span data-i18n="tab.waiting"></span><span class="count"></span></span></button>
  <button type="button" role="tab" data-tab="active" data-testid="tab-active"><span class="tab-label"><span data-i18n="tab.active"></span><span class="count"></span></span></button>
  <button type="button" role="tab" data-tab="closed" data-testid="tab-closed"><span class="tab-label"><span data-i18n="tab.closed"></span><span class="count"></span></span></button>
</div>
<div class="scope segmented" role="group" data-i18n-attr="aria-label:scope.label" data-testid="scope-switch" hidden>
  <button type="button" data-scope="mine" data-i18n="scope.mine" data-testid="scope-mine"></button>
  <button type="button" data-scope="all" data-i18n="scope.all" data-testid="scope-all"></button>
</div>
<div class="flags segmented" role="group" data-i18n-attr="aria-label:filter.label" data-testid="flag-filter">
  <button type="button" data-flag="all" data-i18n="filter.all" data-testid="filter-all"></button>
  <button type="button" data-flag="important" data-testid="filter-important">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8L12 16.8l-5.2 2.8 1-5.8-4.3-4.1 5.9-.8z"/></svg>
    <span data-i18n="filter.important"></span>
  </button>
  <button type="button" data-flag="hold" data-testid="filter-hold">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M9 5v14M15 5v14"/></svg>
    <span data-i18n="filter.hold"></span>
  </button>
  <button type="button" data-flag="both" data-i18n="filter.both" data-testid="filter-both"></button>
</div>
<p class="list-empty" data-i18n="list.empty" data-testid="list-empty"></p>
<ul class="conv-list" role="tabpanel" data-testid="conversation-list"></ul>
<button type="button" class="secondary load-more" data-i18n="list.more" data-testid="list-more" hidden></button>
`);

class ConversationList extends HTMLElement {
  #inbox = null;
  #tab = 'unassigned';
  #scope = 'mine';
  #flag = 'all';
  #items = new Map(); // conversation id → <li>
  #drawn = new WeakMap(); // <a> → what its content was drawn from
  #frame = 0;
  #kept = 0; // the open conversation, kept in view after it left the list

  connectedCallback() {
    if (this.firstElementChild) return; // built once
    stamp(this, markup);
    for (const tab of this.querySelectorAll('[data-tab]')) {
      tab.addEventListener('click', () => this.#selectTab(tab.dataset.tab));
    }
    this.querySelector('[role=tablist]').addEventListener('keydown', (e) => this.#arrowTabs(e));
    for (const button of this.querySelectorAll('[data-scope]')) {
      button.addEventListener('click', () => {
        this.#scope = button.dataset.scope;
        this.#kept = 0;
        storage.set(scopeKey, this.#scope);
        this.#render();
      });
    }
    for (const button of this.querySelectorAll('[data-flag]')) {
      button.addEventListener('click', () => {
        this.#flag = button.dataset.flag;
        this.#kept = 0;
        storage.set(flagKey, this.#flag);
        this.#loadFlagged();
        this.#render();
      });
    }
    this.querySelector('.load-more').addEventListener('click', (e) => {
      e.target.disabled = true;
      this.#inbox.loadMore(this.#tab, this.#flag).catch(() => {}).finally(() => {
        e.target.disabled = false;
        this.#render();
      });
    });
    locale.addEventListener('change', () => this.#render());
  }

  // attach shows inbox's conversations; it is called again when the
  // agent switches workspace.
  attach(inbox) {
    this.#inbox = inbox;
    // Agents start on their own open chats; managers and masters, who
    // watch the queue, on it.
    const savedTab = storage.get(tabKey);
    this.#tab = Object.hasOwn(TABS, savedTab ?? '') ? savedTab : inbox.seesAll ? 'unassigned' : 'mine';
    this.#kept = 0;
    this.#scope = inbox.seesAll ? (storage.get(scopeKey) ?? 'all') : 'mine';
    const savedFlag = storage.get(flagKey);
    this.#flag = Object.hasOwn(FLAGS, savedFlag ?? '') ? savedFlag : 'all';
    this.#items.clear();
    this.querySelector('ul').replaceChildren();
    for (const type of ['change', 'open']) inbox.addEventListener(type, () => this.#schedule());
    if (this.#tab === 'closed') inbox.load('closed').catch(() => {});
    this.#loadFlagged();
    this.#render();
  }

  // #loadFlagged asks the server for the chosen tab's flagged
  // conversations, so older ones beyond the first page show too; events
  // keep them current afterwards.
  #loadFlagged() {
    if (this.#flag === 'all' || !this.#inbox) return;
    for (const state of TABS[this.#tab]) this.#inbox.load(state, this.#flag).catch(() => {});
  }

  // Bursts of events (a replay after reconnecting) redraw once per frame.
  #schedule() {
    if (!this.#frame) {
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#render();
      });
    }
  }

  #selectTab(tab) {
    this.#tab = tab;
    this.#kept = 0;
    storage.set(tabKey, tab);
    if (tab === 'closed') this.#inbox.load('closed').catch(() => {});
    this.#loadFlagged();
    this.#render();
  }

  // Arrow keys move between tabs, as in every tab list.
  #arrowTabs(e) {
    const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
    if (!step) return;
    const names = Object.keys(TABS);
    const next = names[(names.indexOf(this.#tab) + step + names.length) % names.length];
    this.#selectTab(next);
    this.querySelector(`[data-tab=${next}]`).focus();
  }

  #render() {
    const inbox = this.#inbox;
    if (!inbox) return;
    for (const tab of this.querySelectorAll('[data-tab]')) {
      const name = tab.dataset.tab;
      const selected = name === this.#tab;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      const convs = inbox.list(name, this.#scope, this.#flag);
      tab.querySelector('.count').textContent = tabCount(name === 'closed' ? 0 : convs.length, inbox.hasMore(name, this.#flag));
      tab.classList.toggle('attention', convs.some((c) => inbox.needsAttention(c.id)));
    }
    // The scope does not change the agent's own list.
    this.querySelector('.scope').hidden = !inbox.seesAll || this.#tab === 'mine';
    for (const button of this.querySelectorAll('[data-scope]')) {
      button.setAttribute('aria-pressed', String(button.dataset.scope === this.#scope));
    }
    for (const button of this.querySelectorAll('[data-flag]')) {
      button.setAttribute('aria-pressed', String(button.dataset.flag === this.#flag));
    }

    const ul = this.querySelector('ul');
    const convs = inbox.list(this.#tab, this.#scope, this.#flag);
    // The open conversation stays where it was when a state change takes
    // it out of this list (taken, closed, transferred), until the agent
    // opens another or picks another list: no jumping to an empty list.
    const open = inbox.conversations.get(inbox.openId);
    let kept = 0;
    if (open && convs.includes(open)) this.#kept = open.id;
    else if (open && this.#kept === open.id) {
      const at = [...ul.children].indexOf(this.#items.get(open.id));
      convs.splice(at < 0 ? convs.length : Math.min(at, convs.length), 0, open);
      kept = open.id;
    }
    const keep = new Set();
    convs.forEach((c, i) => {
      let li = this.#items.get(c.id);
      if (!li) {
        li = h('li', {}, h('a', { class: 'conv', href: `#/c/${c.id}`, dataset: { conversationId: c.id } }));
        this.#items.set(c.id, li);
      }
      this.#fill(li.firstChild, c, c.id === kept);
      keep.add(c.id);
      // Move only what is out of place, so a focused item keeps focus.
      if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] ?? null);
    });
    for (const [id, li] of this.#items) {
      if (!keep.has(id)) {
        li.remove();
        this.#items.delete(id);
      }
    }
    const empty = this.querySelector('.list-empty');
    empty.hidden = convs.length > 0;
    empty.textContent = t(this.#flag === 'all' ? 'list.empty' : 'list.empty_filtered');
    this.querySelector('.load-more').hidden = !inbox.hasMore(this.#tab, this.#flag);
    ul.dataset.listTab = this.#tab;
    ul.dataset.listFlag = this.#flag;
  }

  #fill(a, c, kept = false) {
    const inbox = this.#inbox;
    const unread = inbox.unread.get(c.id) ?? 0;
    const isNew = !unread && inbox.requests.has(c.id);
    a.dataset.state = c.state;
    if (c.id === inbox.openId) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    a.classList.toggle('unread', unread > 0 || isNew);
    const showAssignee = this.#scope === 'all' && c.assignee_id !== 0 && c.assignee_id !== inbox.agentId;
    const queued = c.state === 'unassigned' || c.state === 'bot';
    const wrapUp = Boolean(c.customer_left_at) && c.state !== 'closed';
    a.dataset.important = String(Boolean(c.important));
    a.dataset.onHold = String(Boolean(c.on_hold));
    if (kept) a.dataset.kept = 'true';
    else delete a.dataset.kept;
    // Redraw the content only when it changes: replacing the element under
    // the pointer between mousedown and mouseup swallows the click.
    const drawn = JSON.stringify([c.room_no, customerName(c), activity(c), c.last_message,
      unread, isNew, showAssignee && c.assignee_name, locale.lang, c.important, c.on_hold, queued, wrapUp, kept && c.state, c.channel]);
    if (this.#drawn.get(a) === drawn) return;
    this.#drawn.set(a, drawn);
    a.replaceChildren(...[
      h('span', { class: 'conv-top' },
        customerAvatar(c),
        h('span', { class: 'room' }, '#' + c.room_no),
        // Cut short with “…” in the list's width: whole on hover.
        h('span', { class: 'name', title: customerName(c) }, customerName(c)),
        // A messenger's conversation says which (§1.2); the web says nothing.
        c.channel && c.channel !== 'web' && h('span', { class: 'chip channel-chip', dataset: { channel: c.channel, testid: 'channel-chip' } }, label('channel.', c.channel)),
        c.important && h('span', { class: 'flag important', title: t('flag.important'), dataset: { testid: 'flag-important' } },
          starIcon(), h('span', { class: 'sr-only' }, t('flag.important'))),
        c.on_hold && h('span', { class: 'flag hold', title: t('flag.hold'), dataset: { testid: 'flag-hold' } },
          pauseIcon(), h('span', { class: 'sr-only' }, t('flag.hold'))),
        queued
          ? h('sodam-time', { datetime: c.created_at, mode: 'waiting', dataset: { testid: 'waiting-time' } })
          : h('sodam-time', { datetime: new Date(activity(c)).toISOString() })),
      h('span', { class: 'conv-bottom' },
        h('span', { class: 'preview', title: hoverText(c.last_message || t('list.no_message')) }, c.last_message || t('list.no_message')),
        wrapUp && h('span', { class: 'badge left', dataset: { testid: 'flag-left' } }, t('list.customer_left')),
        unread > 0 && h('span', { class: 'badge', dataset: { testid: 'unread-badge' } },
          h('span', { 'aria-hidden': 'true' }, unread),
          h('span', { class: 'sr-only' }, t('list.unread', { n: unread }))),
        isNew && h('span', { class: 'badge new', dataset: { testid: 'unread-badge' } }, t('list.new'))),
      showAssignee && h('span', { class: 'assignee' }, t('list.assignee', { name: c.assignee_name })),
      kept && h('span', { class: 'kept-note', dataset: { testid: 'kept-note' } }, t('list.kept', { state: t('state.' + c.state) })),
    ].filter(Boolean));
  }
}

// tabCount is what a tab's badge reads for n conversations loaded (more
// when pages are left), and the side bar's badge for n tickets: none for
// none, and past 99 "99+", as the widget's badge, so that the badge fits
// the room its label keeps for it (style.css).
export function tabCount(n, more) {
  if (!n) return '';
  return n > 99 ? '99+' : n + (more ? '+' : '');
}

const svg = (...paths) => {
  const ns = 'http://www.w3.org/2000/svg';
  const el = document.createElementNS(ns, 'svg');
  el.setAttribute('viewBox', '0 0 24 24');
  el.setAttribute('aria-hidden', 'true');
  for (const d of paths) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    el.append(p);
  }
  return el;
};
export const starIcon = () => svg('M12 3.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8L12 16.8l-5.2 2.8 1-5.8-4.3-4.1 5.9-.8z');
export const pauseIcon = () => svg('M9 5v14M15 5v14');

customElements.define('sodam-conversation-list', ConversationList);
