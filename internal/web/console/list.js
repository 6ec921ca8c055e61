// <sodam-conversation-list> shows the inbox's conversations by state, with
// the mine/all switch for managers, unread badges and live updates. Each
// item links to #/c/ID; the router opens it.
import { h, storage } from '../widget/dom.js';
import { activity, TABS } from './inbox.js';
import { locale, t } from './i18n.js';

const tabKey = 'sodam.tab';
const scopeKey = 'sodam.scope';

class ConversationList extends HTMLElement {
  #inbox = null;
  #tab = 'unassigned';
  #scope = 'mine';
  #items = new Map(); // conversation id → <li>
  #drawn = new WeakMap(); // <a> → what its content was drawn from
  #frame = 0;

  connectedCallback() {
    for (const tab of this.querySelectorAll('[data-tab]')) {
      tab.addEventListener('click', () => this.#selectTab(tab.dataset.tab));
    }
    this.querySelector('[role=tablist]').addEventListener('keydown', (e) => this.#arrowTabs(e));
    for (const button of this.querySelectorAll('[data-scope]')) {
      button.addEventListener('click', () => {
        this.#scope = button.dataset.scope;
        storage.set(scopeKey, this.#scope);
        this.#render();
      });
    }
    locale.addEventListener('change', () => this.#render());
  }

  // attach shows inbox's conversations; it is called again when the
  // agent switches workspace.
  attach(inbox) {
    this.#inbox = inbox;
    const savedTab = storage.get(tabKey);
    this.#tab = Object.hasOwn(TABS, savedTab ?? '') ? savedTab : 'unassigned';
    this.#scope = inbox.seesAll ? (storage.get(scopeKey) ?? 'all') : 'mine';
    this.querySelector('.scope').hidden = !inbox.seesAll;
    this.#items.clear();
    this.querySelector('ul').replaceChildren();
    for (const type of ['change', 'open']) inbox.addEventListener(type, () => this.#schedule());
    if (this.#tab === 'closed') inbox.load('closed').catch(() => {});
    this.#render();
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
    storage.set(tabKey, tab);
    if (tab === 'closed') this.#inbox.load('closed').catch(() => {});
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
      const convs = inbox.list(name, this.#scope);
      tab.querySelector('.count').textContent = name === 'closed' || !convs.length ? '' : convs.length;
      tab.classList.toggle('attention', convs.some((c) => inbox.needsAttention(c.id)));
    }
    for (const button of this.querySelectorAll('[data-scope]')) {
      button.setAttribute('aria-pressed', String(button.dataset.scope === this.#scope));
    }

    const ul = this.querySelector('ul');
    const convs = inbox.list(this.#tab, this.#scope);
    const keep = new Set();
    convs.forEach((c, i) => {
      let li = this.#items.get(c.id);
      if (!li) {
        li = h('li', {}, h('a', { class: 'conv', href: `#/c/${c.id}`, dataset: { conversationId: c.id } }));
        this.#items.set(c.id, li);
      }
      this.#fill(li.firstChild, c);
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
    this.querySelector('.list-empty').hidden = convs.length > 0;
  }

  #fill(a, c) {
    const inbox = this.#inbox;
    const unread = inbox.unread.get(c.id) ?? 0;
    const isNew = !unread && inbox.requests.has(c.id);
    a.dataset.state = c.state;
    if (c.id === inbox.openId) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    a.classList.toggle('unread', unread > 0 || isNew);
    const showAssignee = this.#scope === 'all' && c.assignee_id !== 0 && c.assignee_id !== inbox.agentId;
    // Redraw the content only when it changes: replacing the element under
    // the pointer between mousedown and mouseup swallows the click.
    const drawn = JSON.stringify([c.room_no, c.customer_name || c.identifier, activity(c), c.last_message,
      unread, isNew, showAssignee && c.assignee_name, locale.lang]);
    if (this.#drawn.get(a) === drawn) return;
    this.#drawn.set(a, drawn);
    a.replaceChildren(...[
      h('span', { class: 'conv-top' },
        h('span', { class: 'room' }, '#' + c.room_no),
        h('span', { class: 'name' }, c.customer_name || c.identifier),
        h('sodam-time', { datetime: new Date(activity(c)).toISOString() })),
      h('span', { class: 'conv-bottom' },
        h('span', { class: 'preview' }, c.last_message || t('list.no_message')),
        unread > 0 && h('span', { class: 'badge', dataset: { testid: 'unread-badge' } },
          h('span', { 'aria-hidden': 'true' }, unread),
          h('span', { class: 'sr-only' }, t('list.unread', { n: unread }))),
        isNew && h('span', { class: 'badge new', dataset: { testid: 'unread-badge' } }, t('list.new'))),
      showAssignee && h('span', { class: 'assignee' }, t('list.assignee', { name: c.assignee_name })),
    ].filter(Boolean));
  }
}

customElements.define('sodam-conversation-list', ConversationList);
