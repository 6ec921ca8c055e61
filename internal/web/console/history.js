// <sodam-history> is the history page (§9): every conversation, open or
// closed, searched by words (Korean included) and filters, a page at a
// time by the server's cursor. A result opens in a side panel with its
// transcript (files downloadable, thumbnails shown), where the customer's
// profile and the conversation's category, tags and memo stay editable —
// after the wrap-up this is where a conversation is edited (§2.3) — and a
// ticket can be made from it. Managers and masters export the filtered set
// (XLSX or CSV, by conversation or by message); the export runs on the
// server as a job whose progress the page follows.
import { h } from '../shared/dom.js';
import { MESSAGE_PAGE, Thread } from '../shared/thread.js';
import { transcriptLine } from './details.js';
import { channels, clearInvalid, clockTime, closeReasonText, dateFormat, exactTime, formError, label, locale, processedText, t } from './i18n.js';
import { customerName } from './names.js';
import { CategoryPicker, loadChoices, TagPicker } from './pickers.js';
import { PII } from './pii.js';
import { editsLeft, fillProfile, markProfileError, overlaps, profileChanges, profileMarkup, profileTestIDs, showProfileNotes } from './profileform.js';
import { stamp, template } from './template.js';
import { moment } from './time.js';
import { toast } from './toast.js';

const markup = template(`
<div class="history-main">
  <h1 data-i18n="history.heading"></h1>
  <form class="history-filters" data-ref="filters" data-testid="history-filters" role="search" novalidate>
    <label class="history-q">
      <span data-i18n="history.q"></span>
      <input type="search" name="q" maxlength="200" autocomplete="off" data-i18n-attr="placeholder:history.q_placeholder" data-testid="history-q">
    </label>
    <label><span data-i18n="history.from"></span><input type="date" name="from" data-testid="history-from"></label>
    <label><span data-i18n="history.to"></span><input type="date" name="to" data-testid="history-to"></label>
    <label><span data-i18n="history.state"></span><select name="state" data-ref="state" data-testid="history-state"></select></label>
    <label><span data-i18n="history.channel"></span><select name="channel" data-ref="channel" data-testid="history-channel"></select></label>
    <label><span data-i18n="history.processed"></span><select name="processed" data-ref="processed" data-testid="history-processed"></select></label>
    <label><span data-i18n="history.agent"></span><select name="agent_id" data-ref="agent" data-testid="history-agent"></select></label>
    <label class="history-check"><input type="checkbox" name="agent_path" value="true" data-testid="history-agent-path"><span data-i18n="history.agent_path"></span></label>
    <label><span data-i18n="history.category"></span><select name="category_id" data-ref="category" data-testid="history-category"></select></label>
    <label><span data-i18n="history.tag"></span><select name="tag_id" data-ref="tag" data-testid="history-tag"></select></label>
    <label><span data-i18n="history.customer"></span><input type="search" name="customer" maxlength="100" autocomplete="off" data-i18n-attr="placeholder:history.customer_placeholder" data-testid="history-customer"></label>
    <label><span data-i18n="history.flags"></span><select name="flags" data-ref="flags" data-testid="history-flags"></select></label>
    <label><span data-i18n="history.rating"></span><select name="rating" data-ref="rating" data-testid="history-rating"></select></label>
    <label><span data-i18n="history.sort"></span><select name="sort" data-ref="sort" data-testid="history-sort"></select></label>
    <div class="history-buttons">
      <button type="button" class="secondary" data-ref="clear" data-i18n="history.clear" data-testid="history-clear"></button>
      <button type="submit" class="primary" data-i18n="history.search" data-testid="history-search"></button>
    </div>
  </form>
  <p class="form-error" role="alert" data-ref="error" data-testid="history-error"></p>
  <section class="history-export card" data-ref="export" data-testid="history-export" hidden>
    <label><span data-i18n="history.export_format"></span>
      <select data-ref="format" data-testid="export-format"><option value="xlsx">XLSX</option><option value="csv">CSV</option></select>
    </label>
    <label><span data-i18n="history.export_layout"></span>
      <select data-ref="layout" data-testid="export-layout"></select>
    </label>
    <button type="button" class="secondary" data-ref="export-start" data-i18n="history.export" data-testid="export-start"></button>
    <span class="export-status" role="status" data-ref="export-status" data-testid="export-status"></span>
    <progress max="1" value="0" data-ref="export-progress" data-testid="export-progress" hidden></progress>
    <a class="button-link primary" data-ref="export-download" data-testid="export-download" hidden data-i18n="history.download"></a>
  </section>
  <ol class="history-results" data-ref="results" data-testid="history-results"></ol>
  <p class="list-empty" data-ref="empty" data-i18n="history.empty" data-testid="history-none" hidden></p>
  <p class="audit-more"><button type="button" class="secondary" data-ref="more" data-i18n="history.more" data-testid="history-more" hidden></button></p>
</div>
<aside class="history-panel details" data-ref="panel" data-testid="history-panel" hidden>
  <header class="details-head">
    <h2 data-ref="panel-title" data-testid="history-panel-title"></h2>
    <button type="button" class="icon" data-ref="panel-close" data-i18n-attr="aria-label:details.close_view;title:details.close_view" data-testid="history-panel-close">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>
    </button>
  </header>
  <dl class="facts" data-ref="facts" data-testid="history-panel-facts"></dl>
  <div class="history-actions">
    <button type="button" class="secondary" data-ref="ticket" data-i18n="history.create_ticket" data-testid="history-create-ticket"></button>
  </div>
  <h3 data-i18n="history.transcript"></h3>
  <ol class="transcript" data-ref="transcript" data-testid="history-transcript"></ol>
  <section>
    <h3 data-i18n="details.note_heading"></h3>
    <form class="profile" data-ref="note-form" data-testid="history-note-form" novalidate><fieldset>
      <div class="field"><span class="field-label" data-i18n="details.category"></span><div data-ref="note-category"></div></div>
      <div class="field"><span class="field-label" data-i18n="details.conversation_tags"></span><div class="tags" data-ref="note-tags" data-testid="history-note-tags"></div></div>
      <label><span data-i18n="details.memo"></span><textarea name="memo" rows="3" maxlength="1000" data-testid="history-memo"></textarea></label>
      <p class="form-error" role="alert" data-ref="note-error" data-testid="history-note-error"></p>
      <div class="form-actions"><button type="submit" class="primary" data-i18n="settings.save" data-testid="history-note-save"></button></div>
    </fieldset></form>
  </section>
  <section>
    <h3 data-i18n="details.customer"></h3>
    <form class="profile" data-ref="customer-form" data-testid="history-customer-form" novalidate><fieldset>
      ${profileMarkup}
      <p class="form-error" role="alert" data-ref="customer-error" data-testid="history-customer-error"></p>
      <div class="form-actions"><button type="submit" class="primary" data-i18n="settings.save" data-testid="history-customer-save"></button></div>
    </fieldset></form>
    <h4 data-i18n="details.customer_tags"></h4>
    <div class="tags" data-ref="customer-tags" data-testid="history-customer-tags"></div>
  </section>
</aside>`);

// exportKey remembers the export being followed, per workspace, so a
// reload keeps following it.
const exportKey = (wid) => `sodam.export.${wid}`;

class HistoryPage extends HTMLElement {
  #inbox = null;
  #results = [];
  #cursor = '';
  // #shown is the filter of the results listed: "More" pages through it
  // and the export writes it, whatever the form says since (words typed
  // in a search box search only with Enter).
  #shown = {};
  #loading = 0; // only the latest search's answer is shown
  #openId = 0;
  #open = null; // the conversation in the panel
  #category;
  #tags;
  #customerTags;
  #choices = null;
  #exportTimer = 0;
  #thread; // the open conversation's transcript
  #pii; // its personal information, masked and unmasked as in the live view (pii.js)

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    const form = this.#ref('filters');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#search();
    });
    form.addEventListener('change', (e) => {
      if (e.target.type !== 'search') this.#search();
    });
    // Enter while a Korean syllable is being composed finishes it; only a
    // later Enter searches.
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.isComposing || e.keyCode === 229)) e.preventDefault();
    });
    this.#ref('clear').addEventListener('click', () => {
      form.reset();
      this.#search();
    });
    this.#ref('more').addEventListener('click', () => this.#search(this.#cursor));
    this.#ref('panel-close').addEventListener('click', () => this.#close());
    this.#ref('export-start').addEventListener('click', () => this.#startExport());
    this.#ref('ticket').addEventListener('click', () => this.#createTicket());
    this.#category = new CategoryPicker(this.#ref('note-category'), 'history-category-pick');
    this.#tags = new TagPicker(this.#ref('note-tags'));
    this.#thread = new Thread(this.#ref('transcript'), (m) => this.#line(m), this.#ref('transcript'),
      { t, onError: (err) => toast(locale.errorText(err)) });
    this.#pii = new PII(this.#ref('panel'), { inbox: () => this.#inbox, thread: () => this.#thread, conversation: () => this.#openId });
    this.#ref('note-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#saveNote();
    });
    this.#ref('customer-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#saveCustomer();
    });
    profileTestIDs(this.#ref('customer-form'), 'history-customer');
    this.#ref('customer-form').addEventListener('input', (e) => {
      if (e.target.matches('input, textarea, select')) clearInvalid(e.target);
      showProfileNotes(this.#ref('customer-form'));
    });
    this.#customerTags = new TagPicker(this.#ref('customer-tags'), () => this.#saveCustomerTags());
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.#openId) this.#close();
    });
    locale.addEventListener('change', () => {
      this.#fillChoices();
      this.#category.relabel();
      this.#tags.relabel();
      this.#customerTags.relabel();
      this.#render();
      // The open panel's facts and every line read, however many pages,
      // in the new language; what the agent is typing stays.
      if (this.#open) {
        this.#showFacts();
        this.#thread.redraw();
      }
    });
  }

  #ref(name) {
    return this.querySelector(`[data-ref="${name}"]`);
  }

  attach(inbox) {
    this.#inbox = inbox;
    this.#results = [];
    this.#cursor = '';
    this.#shown = {};
    this.#choices = null;
    clearTimeout(this.#exportTimer);
    if (!this.firstElementChild) return;
    this.#ref('filters').reset();
    this.#ref('results').replaceChildren();
    this.#close();
    inbox.addEventListener('members', () => this.#fillChoices());
    // A mask (§11) rewrites a conversation's preview, here or elsewhere: a
    // result shows the preview as it now stands, as the live lists do, not
    // the text the mask hid.
    inbox.addEventListener('conversation', ({ detail: c }) => this.#preview(c));
    // The side panel's customer follows changes made elsewhere, as the
    // chat's panel does (details.js).
    inbox.addEventListener('customer-event', ({ detail: cu }) => this.#customerChanged(cu));
    // And a message's text in the side panel's transcript.
    inbox.addEventListener('message', ({ detail: m }) => {
      if (m.conversation_id === this.#openId) this.#thread.update(m);
    });
  }

  // #preview gives a listed result the conversation's current preview.
  #preview(c) {
    const i = this.#results.findIndex((r) => r.id === c.id);
    if (i < 0 || typeof c.last_message !== 'string' || this.#results[i].last_message === c.last_message) return;
    this.#results[i] = { ...this.#results[i], last_message: c.last_message };
    this.#render();
  }

  async show(inbox) {
    this.#inbox = inbox;
    this.#ref('export').hidden = !inbox.seesAll;
    this.#fillChoices();
    this.#search();
    this.#followExport();
    try {
      this.#choices = await loadChoices(inbox);
      this.#fillChoices();
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  #fillChoices() {
    if (!this.#inbox || !this.firstElementChild) return;
    const keep = (select, options) => {
      const v = select.value;
      select.replaceChildren(...options.map(([value, text]) => h('option', { value }, text)));
      select.value = options.some(([value]) => String(value) === v) ? v : String(options[0][0]);
    };
    keep(this.#ref('state'), [['', t('history.any')], ['open', t('history.state_open')], ...['bot', 'unassigned', 'waiting', 'active', 'closed'].map((s) => [s, t('state.' + s)])]);
    keep(this.#ref('channel'), [['', t('history.any')], ...channels.map((c) => [c, label('channel.', c)])]);
    keep(this.#ref('processed'), [['', t('history.any')], ['true', t('history.processed_yes')], ['false', t('history.processed_no')]]);
    const members = [...this.#inbox.members.values()].sort((a, b) => a.name.localeCompare(b.name, locale.lang));
    keep(this.#ref('agent'), [['', t('history.anyone')], ...members.map((m) => [m.agent_id, m.name])]);
    const cats = this.#choices?.categories ?? [];
    const byId = new Map(cats.map((c) => [c.id, c]));
    const path = (c) => (c.parent_id && byId.get(c.parent_id) ? path(byId.get(c.parent_id)) + ' > ' : '') + c.name;
    keep(this.#ref('category'), [['', t('history.any')], ...cats.map((c) => [c.id, path(c)]).sort((a, b) => a[1].localeCompare(b[1], locale.lang))]);
    const tags = [...(this.#choices?.conversation ?? []).map((x) => [x.id, t('history.tag_conversation', { name: x.name })]),
      ...(this.#choices?.customer ?? []).map((x) => [x.id, t('history.tag_customer', { name: x.name })])];
    keep(this.#ref('tag'), [['', t('history.any')], ...tags]);
    keep(this.#ref('flags'), [['', t('history.any')], ['important', t('flag.important')], ['on_hold', t('flag.hold')], ['both', t('history.flags_both')]]);
    keep(this.#ref('rating'), [['', t('history.any')], ...[5, 4, 3, 2, 1].map((n) => [n, '★'.repeat(n)]), ['none', t('history.unrated')]]);
    keep(this.#ref('sort'), [['newest', t('history.newest')], ['oldest', t('history.oldest')]]);
    keep(this.#ref('layout'), [['conversations', t('history.layout_conversations')], ['messages', t('history.layout_messages')]]);
    if (this.#choices) {
      this.#category.setCategories(this.#choices.categories);
      this.#tags.setOptions(this.#choices.conversation);
      this.#customerTags.setOptions(this.#choices.customer);
    }
  }

  // #filter is the form as the API's filter: only what is set.
  #filter() {
    const f = this.#ref('filters').elements;
    const q = {};
    for (const name of ['q', 'from', 'to', 'state', 'channel', 'processed', 'agent_id', 'category_id', 'tag_id', 'customer', 'rating']) {
      const v = f[name].value.trim();
      if (v) q[name] = v;
    }
    if (f.agent_path.checked && q.agent_id) q.agent_path = 'true';
    for (const flag of ['important', 'on_hold']) {
      if (f.flags.value === flag || f.flags.value === 'both') q[flag] = 'true';
    }
    if (f.sort.value === 'oldest') q.sort = 'oldest';
    return q;
  }

  async #search(cursor = '') {
    const inbox = this.#inbox;
    if (!inbox) return;
    const filter = cursor ? this.#shown : this.#filter();
    const q = new URLSearchParams(filter);
    if (cursor) q.set('cursor', cursor);
    const n = ++this.#loading;
    this.#ref('more').disabled = true;
    this.#ref('error').textContent = '';
    this.dataset.state = 'loading';
    try {
      const page = await inbox.request('GET', `/history?${q}`);
      if (n !== this.#loading) return;
      this.#results = cursor ? [...this.#results, ...page.conversations] : page.conversations;
      this.#shown = filter;
      this.#cursor = page.next_cursor ?? '';
      this.#render();
    } catch (err) {
      if (n !== this.#loading) return;
      this.#ref('error').textContent = locale.errorText(err);
      this.#shown = filter;
      this.#results = [];
      this.#cursor = '';
      this.#render();
    } finally {
      if (n === this.#loading) {
        this.#ref('more').disabled = false;
        this.dataset.state = 'ready';
        // Drawn while loading, the "nothing found" line waited for this.
        this.#ref('empty').hidden = this.#results.length > 0;
      }
    }
  }

  #render() {
    if (!this.firstElementChild) return;
    this.#ref('results').replaceChildren(...this.#results.map((c) => this.#item(c)));
    this.#ref('empty').hidden = this.#results.length > 0 || this.dataset.state === 'loading';
    this.#ref('more').hidden = !this.#cursor;
  }

  #item(c) {
    const started = new Date(c.created_at);
    return h('li', { dataset: { testid: 'history-result', conversationId: c.id, state: c.state } },
      h('button', {
        type: 'button', class: 'history-item', 'aria-current': c.id === this.#openId ? 'true' : null,
        onclick: () => this.#openConversation(c.id),
      },
      h('span', { class: 'history-top' },
        h('span', { class: 'room' }, t('conv.room', { no: c.room_no })),
        h('time', { datetime: c.created_at, title: exactTime(started) }, dayText(started), ' ', clockTime(started)),
        h('span', { class: 'chip', dataset: { state: c.state } }, c.state === 'closed' ? processedText('history.processed_', c) : t('state.' + c.state))),
      h('span', { class: 'history-who' },
        h('strong', { dataset: { field: 'customer' } }, customerName(c) || t('msg.visitor')),
        h('span', { class: 'note', dataset: { field: 'agent' } }, c.assignee_name || '—')),
      h('span', { class: 'history-last', dataset: { field: 'last_message' } }, c.last_message),
      (c.memo || c.category_path?.length > 0) && h('span', { class: 'history-meta' }, [c.category_path?.join(' > '), c.memo].filter(Boolean).join(' · '))));
  }

  async #openConversation(id) {
    const inbox = this.#inbox;
    if (id !== this.#openId) this.#pii.forget();
    this.#openId = id;
    this.#render();
    try {
      const [detail, page] = await Promise.all([inbox.request('GET', `/conversations/${id}`), this.#page(id, 0)]);
      if (this.#openId !== id) return;
      this.#open = { ...detail, ...page };
      if (!this.#choices) {
        this.#choices = await loadChoices(inbox);
        this.#fillChoices();
      }
      this.#showPanel();
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  // #page reads a page of a conversation's messages from its end: the
  // last ones (before 0) or those before a seq (thread.js).
  async #page(id, before) {
    const { items, earlier } = await this.#inbox.request('GET', `/conversations/${id}/messages?before=${before}&limit=${MESSAGE_PAGE}`, undefined, { page: true });
    return { messages: items, earlier };
  }

  #showPanel() {
    const { conversation: c, customer, messages, earlier } = this.#open;
    const panel = this.#ref('panel');
    panel.dataset.conversationId = c.id;
    this.#showFacts();
    this.#thread.clear();
    for (const m of messages) this.#thread.add(m);
    this.#thread.earlier(earlier, (before) => this.#page(c.id, before));
    this.#category.set(c.category_id, c.category_path);
    this.#tags.set(c.tags ?? []);
    this.#tags.clear();
    this.#ref('note-form').elements.memo.value = c.memo ?? '';
    fillProfile(this.#ref('customer-form'), customer ?? {});
    this.#customerTags.set(customer?.tags ?? []);
    this.#customerTags.clear();
    this.#ref('note-error').textContent = '';
    this.#ref('customer-error').textContent = '';
    panel.hidden = false;
    this.dataset.panel = 'open';
    this.#thread.scrollToEnd(); // the last page, at its end (it was hidden while drawn)
  }

  // #showFacts fills the panel's title and facts in the page's language.
  #showFacts() {
    const c = this.#open.conversation;
    this.#ref('panel-title').textContent = t('conv.room', { no: c.room_no });
    const fact = (key, value) => [h('dt', {}, t('details.' + key)), h('dd', { dataset: { field: key } }, value || t('details.none'))];
    this.#ref('facts').replaceChildren(...[
      fact('started', moment(c.created_at)),
      c.closed_at && fact('closed', moment(c.closed_at)),
      c.state === 'closed' && c.close_reason && fact('close_reason', closeReasonText(c.close_reason, c)),
      fact('channel', label('channel.', c.channel)),
      fact('agent_path', (c.agent_path ?? []).map((s) => s.name).join(' > ')),
      c.rating && fact('rating', '★'.repeat(c.rating.score) + (c.rating.comment ? ' ' + c.rating.comment : '')),
    ].filter(Boolean).flat());
  }

  // #line is one message of the transcript; its text as the live view
  // draws it, findings and masks included.
  #line(m) {
    const li = transcriptLine(m, this.#open.conversation, (msg) => this.#pii.bubble(msg), (msg) => this.#pii.fileName(msg));
    if (li.dataset.sender !== 'system' && !m.internal) li.dataset.testid = 'history-message';
    return li;
  }

  #close() {
    this.#openId = 0;
    this.#open = null;
    this.#pii.forget();
    this.#ref('panel').hidden = true;
    delete this.dataset.panel;
    this.#render();
  }

  async #saveNote() {
    const c = this.#open?.conversation;
    if (!c) return;
    const form = this.#ref('note-form');
    try {
      const saved = await this.#inbox.request('PUT', `/conversations/${c.id}/note`,
        { category_id: this.#category.value, tag_ids: this.#tags.value, memo: form.elements.memo.value });
      this.#open.conversation = { ...c, ...saved, tags: saved.tags ?? this.#tags.tags };
      this.#results = this.#results.map((r) => (r.id === c.id ? { ...r, memo: saved.memo, category_path: saved.category_path } : r));
      this.#render();
      toast(t('history.saved'));
    } catch (err) {
      formError(this.#ref('note-error'), err);
    }
  }

  async #saveCustomer() {
    const c = this.#open?.conversation;
    if (!c) return;
    const form = this.#ref('customer-form');
    const error = this.#ref('customer-error');
    error.replaceChildren();
    const changed = profileChanges(form, this.#open.customer);
    if (Object.keys(changed).length === 0) return;
    try {
      const customer = await this.#inbox.request('PATCH', `/conversations/${c.id}/customer`, changed);
      if (this.#open?.conversation.id !== c.id) return;
      // What was typed while the save was on its way stays, unsaved.
      const left = editsLeft(profileChanges(form, this.#open.customer), changed, customer);
      this.#open.customer = customer;
      fillProfile(form, { ...customer, ...left });
      toast(t('history.saved'));
    } catch (err) {
      formError(error, err);
      markProfileError(form, err, error);
    }
  }

  // #customerChanged shows the panel's customer anew when it changed
  // elsewhere: a manager's console is sent the whole profile, an agent's
  // only which customer changed (it reads it again through the open
  // conversation), and another identifier of the same customer ID shares
  // the profile. What the agent has typed and not saved stays in its
  // field; when the change touches such a field a toast says so, as the
  // chat's panel does, since saving would replace it.
  async #customerChanged(cu) {
    const open = this.#open;
    const shown = open?.customer;
    if (!shown || (cu.id !== shown.id && cu.profile_id !== shown.profile_id)) return;
    let customer = cu;
    if (cu.id !== shown.id || !('name' in cu)) {
      try {
        ({ customer } = await this.#inbox.request('GET', `/conversations/${open.conversation.id}`));
      } catch {
        return; // the panel keeps what it shows; the next change tries again
      }
    }
    if (this.#open !== open || !customer) return;
    const form = this.#ref('customer-form');
    const edits = profileChanges(form, open.customer);
    if (overlaps(edits, open.customer, customer)) toast(t('details.changed_elsewhere'));
    open.customer = customer;
    fillProfile(form, { ...customer, ...edits });
    this.#customerTags.set(customer.tags ?? []);
  }

  // #saveCustomerTags saves the customer's tags as they are chosen, as the
  // right-hand panel does.
  async #saveCustomerTags() {
    const c = this.#open?.conversation;
    if (!c) return;
    try {
      const customer = await this.#inbox.request('PUT', `/conversations/${c.id}/customer/tags`, { tag_ids: this.#customerTags.value });
      if (this.#open?.conversation.id === c.id) this.#open.customer = customer;
    } catch (err) {
      toast(locale.errorText(err));
      if (this.#open?.conversation.id === c.id) this.#customerTags.set(this.#open.customer?.tags ?? []);
    }
  }

  // #createTicket makes a ticket from the open conversation (§7.2); the
  // ticket shows its transcript.
  async #createTicket() {
    const c = this.#open?.conversation;
    if (!c) return;
    try {
      await this.#inbox.request('POST', '/tickets', { subject: t('history.ticket_subject', { no: c.room_no }), conversation_id: c.id });
      toast(t('history.ticket_created'));
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  async #startExport() {
    const inbox = this.#inbox;
    const body = { format: this.#ref('format').value, layout: this.#ref('layout').value, filter: this.#shown, language: locale.lang };
    try {
      const { id } = await inbox.request('POST', '/exports', body);
      sessionStorage.setItem(exportKey(inbox.workspaceId), String(id));
      this.#followExport();
    } catch (err) {
      this.#exportStatus(locale.errorText(err));
    }
  }

  // #followExport polls the export being written until it is done.
  async #followExport() {
    clearTimeout(this.#exportTimer);
    const inbox = this.#inbox;
    const id = inbox && sessionStorage.getItem(exportKey(inbox.workspaceId));
    const link = this.#ref('export-download');
    const bar = this.#ref('export-progress');
    if (!id || !inbox.seesAll) return;
    try {
      const e = await inbox.request('GET', `/exports/${id}`);
      if (inbox !== this.#inbox) return;
      this.dataset.export = e.state;
      bar.hidden = e.state !== 'running' && e.state !== 'queued';
      bar.value = e.progress;
      link.hidden = !e.download_url;
      if (e.download_url) link.href = e.download_url;
      const text = e.state === 'failed' ? t('history.export_failed', { reason: e.error })
        : e.state === 'done' ? (e.download_url ? t('history.export_done', { rows: e.rows.toLocaleString(locale.lang) }) : t('error.export_expired'))
          : t('history.export_' + e.state, { percent: Math.round(e.progress * 100) });
      this.#exportStatus(text);
      if (e.state === 'queued' || e.state === 'running') this.#exportTimer = setTimeout(() => this.#followExport(), 1000);
    } catch (err) {
      if (err.code === 'export_not_found') sessionStorage.removeItem(exportKey(inbox.workspaceId));
      else this.#exportTimer = setTimeout(() => this.#followExport(), 3000);
    }
  }

  #exportStatus(text) {
    this.#ref('export-status').textContent = text;
  }
}

const dayText = (date) => dateFormat({ year: 'numeric', month: 'short', day: 'numeric' }).format(date);

customElements.define('sodam-history', HistoryPage);
