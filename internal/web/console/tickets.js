// <sodam-tickets> is the To check page (§7): every ticket — messages
// customers left in the widget and tickets agents opened from a chat — in
// a list paged by cursor ("load more", the Link header's next page; never
// cut at a fixed number) with
// filters and unread markers, and beside it the open ticket: its status,
// priority, assignee, due time and tags, its thread of public replies
// (emailed to an email contact, with the delivery state shown) and
// internal comments, and the transcript of the chat it was made from.
// Ticket events (ticket.created, .updated, .replied, .delivery) keep both
// current.
import { h } from '../shared/dom.js';
import { newClientMsgID } from '../shared/net.js';
import { MESSAGE_PAGE, Thread } from '../shared/thread.js';
import { transcriptLine } from './details.js';
import { openTicketDialog } from './ticketcreate.js';
import { TicketPII } from './ticketpii.js';
import { dateFormat, dateTime, exactTime, formError, fromLocalInput, locale, t, toLocalInput } from './i18n.js';
import { isActive } from './session.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const STATUS_VIEWS = { active: 'open,pending', open: 'open', pending: 'pending', solved: 'solved', all: '' };
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const PAGE = 50;

const markup = template(`
<div class="tickets-layout" data-ref="layout" data-view="list">
<section class="ticket-index" data-testid="ticket-index">
  <div class="ticket-index-head">
    <h1 data-i18n="tickets.heading"></h1>
    <button type="button" class="primary" data-ref="new" data-i18n="tickets.new" data-testid="ticket-new"></button>
  </div>
  <div class="segmented ticket-filter" role="group" data-i18n-attr="aria-label:tickets.filter" data-testid="ticket-filter">
    <button type="button" data-status="active" data-i18n="tickets.view_active" data-testid="ticket-filter-active"></button>
    <button type="button" data-status="open" data-i18n="ticket_status.open" data-testid="ticket-filter-open"></button>
    <button type="button" data-status="pending" data-i18n="ticket_status.pending" data-testid="ticket-filter-pending"></button>
    <button type="button" data-status="solved" data-i18n="ticket_status.solved" data-testid="ticket-filter-solved"></button>
    <button type="button" data-status="all" data-i18n="tickets.view_all" data-testid="ticket-filter-all"></button>
  </div>
  <div class="ticket-filters">
    <label><span data-i18n="tickets.priority"></span><select data-ref="f-priority" data-testid="ticket-filter-priority"></select></label>
    <label><span data-i18n="tickets.assignee"></span><select data-ref="f-assignee" data-testid="ticket-filter-assignee"></select></label>
    <label><span data-i18n="tickets.channel"></span><select data-ref="f-channel" data-testid="ticket-filter-channel"></select></label>
    <label class="ticket-filter-text"><span data-i18n="tickets.search"></span><input type="search" maxlength="100" autocomplete="off" data-i18n-attr="placeholder:tickets.search_hint" data-ref="f-text" data-testid="ticket-filter-text"></label>
    <label class="ticket-filter-tag"><span data-i18n="tickets.tag"></span><input type="search" maxlength="30" autocomplete="off" data-ref="f-tag" data-testid="ticket-filter-tag"></label>
    <label class="check"><input type="checkbox" data-ref="f-unread" data-testid="ticket-filter-unread"><span data-i18n="tickets.unread_only"></span></label>
  </div>
  <ul class="ticket-list" data-ref="list" data-testid="ticket-list"></ul>
  <p class="list-empty" data-ref="empty" data-testid="ticket-empty" hidden></p>
  <button type="button" class="secondary ticket-more" data-ref="more" data-i18n="tickets.more" data-testid="ticket-more" hidden></button>
</section>
<section class="ticket-view" data-ref="view" data-testid="ticket-view" hidden>
  <header class="ticket-view-head">
    <button type="button" class="icon ticket-back" data-ref="back" data-i18n-attr="aria-label:conv.back;title:conv.back" data-testid="ticket-back">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15 6l-6 6 6 6"/></svg>
    </button>
    <div class="ticket-title">
      <h2 data-ref="subject" data-testid="ticket-subject"></h2>
      <p class="ticket-meta" data-ref="meta" data-testid="ticket-meta"></p>
    </div>
  </header>
  <form class="ticket-props" data-ref="props" data-testid="ticket-props" novalidate>
    <label><span data-i18n="tickets.status"></span><select name="status" data-testid="ticket-status"></select></label>
    <label><span data-i18n="tickets.priority"></span><select name="priority" data-testid="ticket-priority"></select></label>
    <label><span data-i18n="tickets.assignee"></span><select name="assignee" data-testid="ticket-assignee"></select></label>
    <label><span data-i18n="tickets.due"></span><input name="due" type="datetime-local" data-testid="ticket-due"></label>
    <label class="ticket-contact"><span data-i18n="tickets.contact"></span><input name="contact" maxlength="200" autocomplete="off" data-i18n-attr="placeholder:tickets.contact_hint" data-testid="ticket-contact"></label>
    <label class="ticket-tags"><span data-i18n="tickets.tags"></span><input name="tags" maxlength="340" autocomplete="off" data-i18n-attr="placeholder:tickets.tags_hint" data-testid="ticket-tags"></label>
    <p class="form-error" role="alert" data-ref="props-error" data-testid="ticket-props-error"></p>
  </form>
  <div class="ticket-tabs" role="tablist">
    <button type="button" role="tab" data-tab="thread" aria-selected="true" data-i18n="tickets.tab_thread" data-testid="ticket-tab-thread"></button>
    <button type="button" role="tab" data-tab="transcript" aria-selected="false" data-i18n="tickets.tab_transcript" data-testid="ticket-tab-transcript"></button>
  </div>
  <div class="ticket-panel" data-ref="thread-panel" role="tabpanel">
    <ol class="ticket-thread" data-ref="thread" data-testid="ticket-thread"></ol>
    <form class="ticket-composer" data-ref="composer" data-testid="ticket-composer" novalidate>
      <textarea name="body" rows="4" maxlength="10000" data-i18n-attr="placeholder:tickets.reply_placeholder" data-testid="ticket-reply-body"></textarea>
      <p class="help" data-ref="composer-help" data-testid="ticket-composer-help"></p>
      <p class="form-error" role="alert" data-ref="composer-error" data-testid="ticket-reply-error"></p>
      <div class="ticket-composer-actions">
        <label class="check"><input type="checkbox" name="internal" data-testid="ticket-reply-internal"><span data-i18n="tickets.internal"></span></label>
        <button type="button" class="secondary" data-ref="reopen" data-i18n="tickets.reopen" data-testid="ticket-reopen" hidden></button>
        <button type="submit" class="primary" data-ref="send" data-testid="ticket-reply-send"></button>
      </div>
    </form>
  </div>
  <div class="ticket-panel" data-ref="transcript-panel" role="tabpanel" hidden>
    <ol class="transcript ticket-transcript" data-ref="transcript" data-testid="ticket-transcript"></ol>
  </div>
</section>
<p class="placeholder ticket-placeholder" data-i18n="tickets.placeholder" data-testid="ticket-placeholder"></p>
</div>
`);

class Tickets extends HTMLElement {
  #inbox = null;
  #status = 'active';
  #items = []; // the tickets loaded, newest first
  #cursor = '';
  #loading = 0; // the latest load's number: older answers are dropped
  #open = null; // the open ticket
  #replies = []; // its thread's entries loaded, oldest first
  #earlier = 0; // the before= of the entries before them; 0: none
  // What the composer held for tickets left with a reply half written
  // (ticket id → { body, internal }): a draft stays with its ticket, never
  // sent to the next one's customer.
  #drafts = new Map();
  // The reply being sent, and its idempotency key: sent again unchanged
  // (its answer was lost), it keeps the key, so it is stored once.
  #sending = { key: '', id: '' };
  #tab = 'thread';
  // The tags field's text as last shown and the version it came from: a
  // save of the field is based on that version, not on a colleague's
  // change heard while the agent was typing in it.
  #tagsSeen = { id: 0, at: '', tags: '' };
  #chat = null; // the chat the open ticket was made from
  #transcript; // its messages (thread.js)
  #pii; // its left message's masks (ticketpii.js)

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    // The transcript grows with the ticket's page, which does not move:
    // its earlier messages come with the button above them.
    this.#pii = new TicketPII(this, () => this.#inbox, (tk) => {
      if (this.#open?.id !== tk.id) return;
      this.#open = { ...this.#open, ...tk, masks: tk.masks ?? [] };
      this.#renderThread();
    }, () => this.#renderThread());
    this.#transcript = new Thread(this.#ref('transcript'), (m) => transcriptLine(m, this.#chat), this.#ref('transcript'),
      { t, onError: (err) => toast(locale.errorText(err)) });
    for (const button of this.querySelectorAll('[data-status]')) {
      button.addEventListener('click', () => {
        this.#status = button.dataset.status;
        this.#reload();
      });
    }
    for (const name of ['f-priority', 'f-assignee', 'f-channel', 'f-unread', 'f-tag', 'f-text']) {
      this.#ref(name).addEventListener('change', () => this.#reload());
    }
    this.#ref('more').addEventListener('click', () => this.#load(false));
    this.#ref('new').addEventListener('click', () => openTicketDialog(this.#inbox));
    this.#ref('back').addEventListener('click', () => { location.hash = '#/tickets'; });
    this.#ref('props').addEventListener('change', (e) => this.#saveProp(e.target));
    this.#ref('props').addEventListener('submit', (e) => e.preventDefault());
    this.#ref('composer').addEventListener('submit', (e) => { e.preventDefault(); this.#send(); });
    const body = this.#ref('composer').elements.body;
    body.addEventListener('keydown', (e) => {
      // Ctrl/⌘+Enter sends; never while an IME is composing (Korean).
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.#send();
      }
    });
    this.#ref('composer').elements.internal.addEventListener('change', () => this.#fillComposer());
    this.#ref('reopen').addEventListener('click', () => this.#patch({ status: 'open' }));
    for (const tab of this.querySelectorAll('[data-tab]')) tab.addEventListener('click', () => this.#showTab(tab.dataset.tab));
    locale.addEventListener('change', () => this.#redraw());
  }

  attach(inbox) {
    this.#inbox = inbox;
    this.#items = [];
    this.#cursor = '';
    this.#open = null;
    this.#status = 'active';
    this.#ref('list').replaceChildren();
    inbox.addEventListener('ticket-event', (e) => this.#event(e.detail));
    // A message of the chat the open ticket was made from, masked or
    // unmasked (§11): the transcript shows it as it now stands. Its text
    // and masks only: a file keeps the link the ticket gave it.
    inbox.addEventListener('message', ({ detail: m }) => {
      const shown = this.#open?.conversation_id === m.conversation_id && this.#transcript.message(m.id);
      if (!shown) return;
      const attachment = shown.attachment && { ...shown.attachment, name: m.attachment?.name ?? shown.attachment.name };
      this.#transcript.update({ ...shown, body: m.body, masks: m.masks, attachment });
    });
    inbox.addEventListener('members', () => this.#fillFilters());
    this.#fillFilters();
  }

  // show is called each time the page is opened (#/tickets or
  // #/tickets/ID): the list is reloaded, and the ticket opened.
  show(inbox, id = 0) {
    if (inbox && inbox !== this.#inbox) return;
    this.#reload();
    const want = Number(id) || 0;
    this.#ref('layout').dataset.view = want ? 'ticket' : 'list';
    if (want) this.#openTicket(want);
    else {
      if (this.#open) this.#swapDraft(this.#open.id, 0);
      this.#open = null;
      this.#ref('view').hidden = true;
    }
  }

  // #swapDraft keeps the composer's text with ticket `from` and shows
  // ticket `to`'s (none: an empty composer, a public reply).
  #swapDraft(from, to) {
    const f = this.#ref('composer').elements;
    if (from && f.body.value.trim()) this.#drafts.set(from, { body: f.body.value, internal: f.internal.checked });
    else if (from) this.#drafts.delete(from);
    const d = this.#drafts.get(to);
    f.body.value = d?.body ?? '';
    f.internal.checked = d?.internal ?? false;
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  #fillFilters() {
    if (!this.#inbox) return;
    const keep = (sel) => sel.value;
    const pr = this.#ref('f-priority');
    const p0 = keep(pr);
    pr.replaceChildren(h('option', { value: '' }, t('tickets.any')), h('option', { value: 'urgent,high' }, t('tickets.high_or_urgent')),
      ...PRIORITIES.map((p) => h('option', { value: p }, t('priority.' + p))));
    pr.value = p0;
    const as = this.#ref('f-assignee');
    const a0 = keep(as);
    as.replaceChildren(h('option', { value: '' }, t('tickets.anyone')), h('option', { value: String(this.#inbox.agentId) }, t('tickets.me')),
      h('option', { value: '0' }, t('tickets.unassigned')),
      ...this.#members().filter((m) => m.agent_id !== this.#inbox.agentId).map((m) => h('option', { value: String(m.agent_id) }, m.name)));
    as.value = a0;
    const ch = this.#ref('f-channel');
    const c0 = keep(ch);
    ch.replaceChildren(h('option', { value: '' }, t('tickets.any')), h('option', { value: 'web' }, t('ticket_channel.web')), h('option', { value: 'chat' }, t('ticket_channel.chat')));
    ch.value = c0;
  }

  #members() {
    return [...this.#inbox.members.values()].filter((m) => isActive(m)).sort((a, b) => a.name.localeCompare(b.name, locale.lang));
  }

  #query(cursor) {
    const q = new URLSearchParams();
    if (STATUS_VIEWS[this.#status]) q.set('status', STATUS_VIEWS[this.#status]);
    for (const [name, key] of [['f-priority', 'priority'], ['f-assignee', 'assignee_id'], ['f-channel', 'channel']]) {
      if (this.#ref(name).value !== '') q.set(key, this.#ref(name).value);
    }
    if (this.#ref('f-unread').checked) q.set('unread', 'true');
    const tag = this.#ref('f-tag').value.trim();
    if (tag) q.set('tag', tag.normalize('NFC'));
    const text = this.#ref('f-text').value.trim();
    if (text) q.set('q', text.normalize('NFC'));
    q.set('limit', PAGE);
    if (cursor) q.set('cursor', cursor);
    return q;
  }

  #reload() {
    this.#items = [];
    this.#cursor = '';
    this.#load(true);
  }

  async #load(fresh) {
    if (!this.#inbox) return;
    const n = ++this.#loading;
    this.#ref('more').disabled = true;
    try {
      const { items, next } = await this.#inbox.request('GET', '/tickets?' + this.#query(fresh ? '' : this.#cursor), undefined, { page: true });
      if (n !== this.#loading) return;
      const have = new Set(this.#items.map((tk) => tk.id));
      this.#items.push(...items.filter((tk) => !have.has(tk.id)));
      this.#cursor = next;
      this.#renderList();
    } catch (err) {
      toast(locale.errorText(err));
    } finally {
      this.#ref('more').disabled = false;
    }
  }

  // #matches says whether a ticket belongs in the list as filtered.
  #matches(tk) {
    const statuses = STATUS_VIEWS[this.#status];
    if (statuses && !statuses.split(',').includes(tk.status)) return false;
    const pr = this.#ref('f-priority').value;
    if (pr && !pr.split(',').includes(tk.priority)) return false;
    const as = this.#ref('f-assignee').value;
    if (as !== '' && Number(as) !== (tk.assignee_id ?? 0)) return false;
    const ch = this.#ref('f-channel').value;
    const tag = this.#ref('f-tag').value.trim().normalize('NFC');
    const text = this.#ref('f-text').value.trim().normalize('NFC').toLowerCase();
    const hay = [tk.subject, tk.message, tk.name, tk.contact].join('\n').toLowerCase();
    const number = text.replace(/^#/, ''); // the ticket's number, as its emails give it
    const found = !text || hay.includes(text) || phoneTerms(text).some((d) => (tk.contact ?? '').replace(/[-\s.()+]/g, '').includes(d))
      || (/^\d{1,18}$/.test(number) && Number(number) === tk.id);
    return (!ch || ch === tk.channel) && (!tag || (tk.tags ?? []).includes(tag)) && found;
  }

  #redraw() {
    this.#fillFilters();
    this.#renderList();
    if (this.#open) {
      this.#renderTicket();
      this.#transcript.redraw();
    }
  }

  #renderList() {
    for (const button of this.querySelectorAll('[data-status]')) {
      button.setAttribute('aria-pressed', String(button.dataset.status === this.#status));
    }
    const ul = this.#ref('list');
    ul.replaceChildren(...this.#items.map((tk) => this.#item(tk)));
    const empty = this.#ref('empty');
    empty.hidden = this.#items.length > 0;
    empty.textContent = t('tickets.empty');
    this.#ref('more').hidden = !this.#cursor;
  }

  #item(tk) {
    const title = tk.subject || firstLine(tk.message);
    const due = tk.due_at && tk.status !== 'solved' ? new Date(tk.due_at) : null;
    const overdue = due && due.getTime() < Date.now();
    // The open ticket is being read, whatever a page fetched before its
    // read mark says.
    const unread = Boolean(tk.unread) && this.#open?.id !== tk.id;
    const who = [tk.name, `#${tk.id}`].filter(Boolean).join(' · ');
    const li = h('li', {
      class: 'ticket', dataset: { testid: 'ticket', ticketId: tk.id, status: tk.status, priority: tk.priority, unread: String(unread) },
      'aria-current': this.#open?.id === tk.id ? 'true' : null,
    },
    h('a', { href: `#/tickets/${tk.id}`, class: 'ticket-link' },
      h('span', { class: 'ticket-line' },
        unread ? h('span', { class: 'unread-dot', title: t('tickets.unread'), dataset: { testid: 'ticket-unread' } }) : null,
        h('strong', { class: 'ticket-name', title, dataset: { field: 'title' } }, title),
        h('sodam-time', { datetime: tk.activity_at || tk.created_at })),
      h('span', { class: 'ticket-line ticket-sub' },
        h('span', { class: 'chip', dataset: { field: 'status', state: tk.status } }, t('ticket_status.' + tk.status)),
        tk.priority !== 'normal' ? h('span', { class: 'chip priority', dataset: { priority: tk.priority, field: 'priority' } }, t('priority.' + tk.priority)) : null,
        h('span', { class: 'ticket-who', title: who, dataset: { field: 'name' } }, who),
        due ? h('span', { class: overdue ? 'due overdue' : 'due', title: exactTime(due) }, t(overdue ? 'tickets.overdue' : 'tickets.due_short', { time: shortTime(due) })) : null,
        tk.replies ? h('span', { class: 'ticket-count', title: t('tickets.replies', { n: tk.replies }) }, t('tickets.reply_count', { n: tk.replies })) : null,
        ...(tk.tags ?? []).map((tag) => h('span', { class: 'chip tag', dataset: { field: 'tag' } }, '#' + tag)))));
    return li;
  }

  // #event applies a ticket event to the list and the open ticket.
  #event(ev) {
    const tk = ev.ticket;
    const me = this.#inbox.agentId;
    if (tk) {
      const i = this.#items.findIndex((x) => x.id === tk.id);
      const mine = ev.type === 'ticket.replied' ? ev.ticket_reply?.author_id === me : ev.type === 'ticket.created' && tk.created_by === me;
      const fresh = { ...tk, unread: this.#open?.id === tk.id ? false : (ev.type === 'ticket.created' || ev.type === 'ticket.replied') ? !mine : this.#items[i]?.unread ?? false };
      if (i >= 0) this.#items[i] = { ...this.#items[i], ...fresh };
      else if (ev.type === 'ticket.created' && this.#matches(tk)) this.#items.unshift(fresh);
      else if (this.#matches(tk)) this.#arrive(tk.id);
      this.#items = this.#items.filter((x) => this.#matches(x)); // solved leaves the active view
      this.#renderList();
      if (this.#open?.id === tk.id) {
        this.#open = { ...this.#open, ...tk, masks: tk.masks ?? [] }; // none: omitted
        if (ev.ticket_reply && !this.#replies.some((r) => r.id === ev.ticket_reply.id)) this.#replies.push(ev.ticket_reply);
        this.#renderTicket();
        if (ev.type === 'ticket.replied' && !mine) this.#markRead(tk.id);
      }
    }
    if (ev.type === 'ticket.delivery' && ev.ticket_reply && this.#open?.id === ev.ticket_reply.ticket_id) {
      this.#replies = this.#replies.map((r) => (r.id === ev.ticket_reply.id ? ev.ticket_reply : r));
      this.#renderThread();
    }
  }

  // #arrive adds a ticket a change brought into the list as filtered — one
  // assigned to the agent viewing their own, one reopened into the active
  // view — where its ID puts it among the pages loaded (it stayed out until
  // the list was reloaded). It is read first, for the agent's unread
  // marker, which the event does not carry.
  async #arrive(id) {
    const last = this.#items.at(-1);
    if (this.#cursor && last && id < last.id) return; // on a page not loaded yet
    try {
      const { ticket } = await this.#inbox.request('GET', `/tickets/${id}`);
      const i = this.#items.findIndex((x) => x.id === id);
      if (i >= 0) {
        // A page loaded meanwhile brought it, as it was when the page was
        // read: this read is the later one, unless a change came since.
        if (Date.parse(ticket.updated_at) > Date.parse(this.#items[i].updated_at)) {
          this.#items[i] = { ...this.#items[i], ...ticket };
          this.#renderList();
        }
        return;
      }
      if (!this.#matches(ticket)) return;
      if (this.#ref('f-unread').checked && !ticket.unread) return;
      const at = this.#items.findIndex((x) => x.id < id);
      this.#items.splice(at < 0 ? this.#items.length : at, 0, ticket);
      this.#renderList();
    } catch {
      // Gone, or out of reach: the list stays as it was.
    }
  }

  async #openTicket(id) {
    try {
      const { ticket, replies, earlier } = await this.#inbox.request('GET', `/tickets/${id}`);
      if (this.#open?.id !== ticket.id) {
        this.#pii.forget();
        this.#swapDraft(this.#open?.id, ticket.id);
      }
      this.#open = ticket;
      this.#replies = replies;
      this.#earlier = earlier;
      this.#renderList();
      this.#tab = 'thread';
      this.#ref('view').hidden = false;
      this.#renderTicket();
      this.#showTab('thread');
      if (ticket.unread) this.#markRead(id);
    } catch (err) {
      toast(locale.errorText(err));
      location.hash = '#/tickets';
    }
  }

  async #markRead(id) {
    try {
      await this.#inbox.request('POST', `/tickets/${id}/read`);
      const item = this.#items.find((x) => x.id === id);
      if (item) item.unread = false;
      this.#renderList();
      this.#inbox.ticketsRead();
    } catch {
      // the marker stays; nothing else depends on it
    }
  }

  #renderTicket() {
    const tk = this.#open;
    this.#ref('subject').textContent = tk.subject || firstLine(tk.message);
    const contact = tk.contact ? contactLink(tk.contact) : null;
    const creator = tk.created_by ? this.#inbox.members.get(tk.created_by)?.name : '';
    this.#ref('meta').replaceChildren(...[
      h('span', { class: 'chip', dataset: { field: 'channel' } }, t('ticket_channel.' + tk.channel)),
      `#${tk.id}`,
      tk.name ? h('span', { dataset: { field: 'name' } }, tk.name) : null,
      contact ? h('span', { dataset: { field: 'contact' } }, contact) : null,
      creator ? t('tickets.opened_by', { name: creator }) : null,
      h('sodam-time', { datetime: tk.created_at }),
    ].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x])));
    const f = this.#ref('props').elements;
    if (!this.#ref('props').contains(document.activeElement) || document.activeElement.tagName === 'SELECT') {
      f.status.replaceChildren(...['open', 'pending', 'solved'].map((s) => h('option', { value: s }, t('ticket_status.' + s))));
      f.status.value = tk.status;
      f.priority.replaceChildren(...PRIORITIES.map((p) => h('option', { value: p }, t('priority.' + p))));
      f.priority.value = tk.priority;
      f.assignee.replaceChildren(h('option', { value: '0' }, t('tickets.nobody')),
        ...[...this.#inbox.members.values()].filter((m) => isActive(m) || m.agent_id === tk.assignee_id)
          .sort((a, b) => a.name.localeCompare(b.name, locale.lang)).map((m) => h('option', { value: String(m.agent_id) }, m.name)));
      f.assignee.value = String(tk.assignee_id ?? 0);
      f.due.value = tk.due_at ? toLocalInput(new Date(tk.due_at)) : '';
      f.tags.value = (tk.tags ?? []).join(', ');
      f.contact.value = tk.contact ?? '';
      this.#tagsSeen = { id: tk.id, at: tk.updated_at, tags: f.tags.value };
    } else if (this.#tagsSeen.id === tk.id && this.#tagsSeen.tags === (tk.tags ?? []).join(', ')) {
      this.#tagsSeen.at = tk.updated_at; // a change of something else: the tags typed over are still these
    }
    const transcriptTab = this.querySelector('[data-tab=transcript]');
    transcriptTab.hidden = !tk.conversation_id;
    if (!tk.conversation_id && this.#tab === 'transcript') this.#showTab('thread');
    this.#renderThread();
    this.#fillComposer();
    for (const li of this.#ref('list').children) li.toggleAttribute('aria-current', Number(li.dataset.ticketId) === tk.id);
  }

  #renderThread() {
    const tk = this.#open;
    if (!tk) return;
    const entries = [];
    if (tk.message) {
      const who = tk.channel === 'web' ? tk.name : this.#inbox.members.get(tk.created_by)?.name ?? '';
      entries.push(h('li', { class: 'ticket-entry original', dataset: { testid: 'ticket-original' } },
        h('div', { class: 'entry-head' }, h('strong', {}, who || t('msg.visitor')), h('sodam-time', { datetime: tk.created_at })),
        this.#pii.body(tk)));
    }
    if (tk.note) {
      // A processing note (PATCH note; what To check kept before threads).
      entries.push(h('li', { class: 'ticket-entry internal', dataset: { testid: 'ticket-note' } },
        h('div', { class: 'entry-head' }, h('strong', {}, t('tickets.note'))),
        h('p', { class: 'entry-body' }, tk.note)));
    }
    if (this.#earlier) {
      // A long thread shows its end; the entries before it a page at a time.
      const more = h('button', { type: 'button', class: 'secondary earlier', dataset: { testid: 'ticket-earlier' } }, t('tickets.earlier'));
      more.addEventListener('click', () => this.#loadEarlier(more));
      entries.push(h('li', { class: 'thread-earlier' }, more));
    }
    for (const r of this.#replies) {
      const author = this.#inbox.members.get(r.author_id)?.name ?? `#${r.author_id}`;
      entries.push(h('li', { class: r.internal ? 'ticket-entry internal' : 'ticket-entry public', dataset: { testid: 'ticket-reply', replyId: r.id, internal: String(r.internal), delivery: r.delivery } },
        h('div', { class: 'entry-head' },
          h('strong', {}, author),
          h('span', { class: 'chip' }, t(r.internal ? 'tickets.kind_internal' : 'tickets.kind_public')),
          h('sodam-time', { datetime: r.created_at })),
        h('p', { class: 'entry-body' }, r.body),
        r.internal ? null : h('p', { class: 'delivery', dataset: { testid: 'ticket-delivery', state: r.delivery }, title: deliveryTitle(r) },
          deliveryText(r))));
    }
    // Nothing written yet (a ticket made from a chat, say): say so, and
    // where the chat is.
    if (!entries.length) {
      entries.push(h('li', { class: 'list-empty', dataset: { testid: 'ticket-thread-empty' } },
        t(tk.conversation_id ? 'tickets.thread_empty_chat' : 'tickets.thread_empty')));
    }
    this.#ref('thread').replaceChildren(...entries);
  }

  async #loadEarlier(button) {
    const tk = this.#open;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const { replies, earlier } = await this.#inbox.request('GET', `/tickets/${tk.id}/replies?before=${this.#earlier}`);
      if (this.#open?.id !== tk.id) return;
      const have = new Set(this.#replies.map((r) => r.id));
      this.#replies = [...replies.filter((r) => !have.has(r.id)), ...this.#replies];
      this.#earlier = earlier;
      this.#renderThread();
      // The entries read come under the original message, where the button
      // was; the keyboard stays there (the next button, or the first entry).
      this.querySelector('[data-testid=ticket-earlier]')?.focus();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  #fillComposer() {
    const tk = this.#open;
    if (!tk) return;
    const form = this.#ref('composer');
    const internal = form.elements.internal.checked;
    const solved = tk.status === 'solved' && !internal;
    this.#ref('send').textContent = t(internal ? 'tickets.send_internal' : 'tickets.send_reply');
    this.#ref('send').disabled = solved;
    this.#ref('reopen').hidden = !solved;
    form.classList.toggle('internal', internal);
    let help = '';
    if (solved) help = t('tickets.solved_help');
    else if (internal) help = t('tickets.internal_help');
    else if (!tk.contact) help = t('tickets.no_contact_help');
    else if (!tk.contact.includes('@')) help = t('tickets.no_email_help');
    else help = t('tickets.email_help', { to: tk.contact });
    this.#ref('composer-help').textContent = help;
  }

  #showTab(tab) {
    this.#tab = tab;
    for (const b of this.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    this.#ref('thread-panel').hidden = tab !== 'thread';
    this.#ref('transcript-panel').hidden = tab !== 'transcript';
    if (tab === 'transcript') this.#loadTranscript();
  }

  async #loadTranscript() {
    const tk = this.#open;
    if (!tk?.conversation_id) return;
    try {
      // Read from its end, as the chat was (thread.js).
      const page = (before) => this.#inbox.request('GET', `/tickets/${tk.id}/transcript?before=${before}&limit=${MESSAGE_PAGE}`);
      const { conversation, messages, earlier } = await page(0);
      if (this.#open?.id !== tk.id) return;
      this.#chat = conversation;
      this.#transcript.clear();
      for (const m of messages) this.#transcript.add(m);
      this.#transcript.earlier(earlier, page);
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  async #saveProp(el) {
    const tk = this.#open;
    if (!tk) return;
    let body;
    switch (el.name) {
      case 'status': body = { status: el.value }; break;
      case 'priority': body = { priority: el.value }; break;
      case 'assignee': body = { assignee_id: Number(el.value) }; break;
      case 'due': body = { due_at: el.value ? fromLocalInput(el.value) : '' }; break;
      case 'tags': body = { tags: el.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean) }; break;
      // A chat's ticket made before the customer gave an email gets one here,
      // so that replies can be emailed.
      case 'contact': body = { contact: el.value.trim() }; break;
      default: return;
    }
    // Tags are replaced whole: saved only on the ticket as the field last
    // showed it, so a colleague's tags added meanwhile — unheard, or heard
    // while the agent typed in the field, which then kept the agent's
    // text — are not lost (409 conflict: the ticket is read again, to
    // redo the change on).
    const seen = this.#tagsSeen.id === tk.id ? this.#tagsSeen.at : tk.updated_at;
    await this.#patch(body, el.name === 'tags' ? seen : null);
  }

  async #patch(body, unchangedSince = null) {
    const tk = this.#open;
    const err = this.#ref('props-error');
    err.replaceChildren();
    try {
      const headers = unchangedSince ? { 'If-Match': `"${unchangedSince}"` } : {};
      const fresh = await this.#inbox.request('PATCH', `/tickets/${tk.id}`, body, { headers });
      if (this.#open?.id !== fresh.id) return;
      this.#open = { ...this.#open, ...fresh };
      const i = this.#items.findIndex((x) => x.id === fresh.id);
      if (i >= 0) this.#items[i] = { ...this.#items[i], ...fresh };
      this.#items = this.#items.filter((x) => this.#matches(x));
      this.#renderList();
      this.#renderTicket();
      toast(t('tickets.saved'));
    } catch (e) {
      if (e?.code === 'conflict' && this.#open?.id === tk.id) {
        document.activeElement?.blur(); // the form shows what is saved now
        await this.#openTicket(tk.id);
      }
      formError(err, e);
    }
  }

  async #send() {
    const tk = this.#open;
    const form = this.#ref('composer');
    const body = form.elements.body.value;
    const internal = form.elements.internal.checked;
    const error = this.#ref('composer-error');
    error.replaceChildren();
    if (!body.trim() || this.#ref('send').disabled) return;
    this.#ref('send').disabled = true;
    const key = `${tk.id}\n${internal}\n${body}`;
    if (this.#sending.key !== key) this.#sending = { key, id: newClientMsgID() };
    try {
      const reply = await this.#inbox.request('POST', `/tickets/${tk.id}/replies`, { body, internal, client_id: this.#sending.id });
      if (this.#sending.key === key) this.#sending = { key: '', id: '' };
      // The agent may have opened another ticket meanwhile: the reply
      // belongs to its own thread (and the composer holds the other's),
      // and is no draft of it any more.
      if (this.#open?.id !== tk.id) {
        this.#drafts.delete(tk.id);
        return;
      }
      if (!this.#replies.some((r) => r.id === reply.id)) this.#replies.push(reply);
      form.elements.body.value = '';
      this.#renderThread();
    } catch (e) {
      formError(error, e);
    } finally {
      this.#fillComposer();
    }
  }
}

// phoneTerms mirrors history.PhoneTerms, as the server's search finds a
// phone number: a query written like one (digits, '-', '+', spaces; at
// least 3 digits) as its digits, and them in Korea's other form
// (010… and 82 10…); none for any other query.
function phoneTerms(text) {
  const q = text.normalize('NFKC').trim();
  if (!/^[\d\s+-]+$/.test(q)) return [];
  const d = q.replace(/\D/g, '');
  if (d.length < 3) return [];
  let national = '';
  if (q.startsWith('+82') && d.length > 2) national = '0' + d.slice(2).replace(/^0/, '');
  else if (d.length > 1 && d[0] === '0' && d[1] !== '0') national = d;
  const out = [d];
  if (national) {
    for (const alt of [national, '82' + national.slice(1)]) {
      if (alt !== d && alt.length >= 3 && !out.includes(alt)) out.push(alt);
    }
  }
  return out;
}

// deliveryTitle is what hovering over a delivery line shows: when a sent
// email left, to the second and with the zone, or why one failed.
function deliveryTitle(r) {
  return r.delivery === 'sent' ? exactTime(new Date(r.delivered_at)) : r.delivery_error || '';
}

// deliveryText says what became of a public reply's email: when it was
// sent to the minute, as the details show times.
function deliveryText(r) {
  switch (r.delivery) {
    case 'sent': return t('delivery.sent', { to: r.delivery_to, time: dateTime(new Date(r.delivered_at)) });
    case 'retrying': return t('delivery.retrying', { n: r.delivery_attempts });
    case 'failed': return t('delivery.failed', { n: r.delivery_attempts });
    case 'queued': return t('delivery.queued', { to: r.delivery_to });
    case 'no_smtp': return t('delivery.no_smtp');
    case 'no_email': return t('delivery.no_email');
    default: return '';
  }
}

// firstLine is a left message's title: its first line with something on
// it (a visitor's message may begin with an empty line), trimmed.
function firstLine(s) {
  const line = (s ?? '').split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.length > 60 ? line.slice(0, 60) + '…' : line;
}

function shortTime(date) {
  return dateFormat({ month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(date);
}

// contactLink makes an email address or a phone number something to click.
function contactLink(contact) {
  if (contact.includes('@')) return h('a', { href: 'mailto:' + encodeURIComponent(contact).replace('%40', '@') }, contact);
  const digits = contact.replace(/[^\d+]/g, '');
  return digits ? h('a', { href: 'tel:' + digits }, contact) : contact;
}

customElements.define('sodam-tickets', Tickets);
