// <sodam-tickets> is the To check page (확인 목록): the messages customers
// left while nobody could chat (§7.1), open or solved, kept current by the
// ticket.* events. Processing one records a note, an assignee and a status.
import { h } from '../shared/dom.js';
import { exactTime, formError, locale, t } from './i18n.js';
import { isActive } from './session.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

// markup is the element's content, stamped when it is first connected.
const markup = template(`
<h1 data-i18n="tickets.heading"></h1>
<p class="help" data-i18n="tickets.help"></p>
<div class="segmented ticket-filter" role="group" data-i18n-attr="aria-label:tickets.filter" data-testid="ticket-filter">
  <button type="button" data-status="open" data-testid="ticket-filter-open"><span data-i18n="ticket_status.open"></span> <span class="count"></span></button>
  <button type="button" data-status="solved" data-i18n="ticket_status.solved" data-testid="ticket-filter-solved"></button>
</div>
<ul class="ticket-list" data-ref="list" data-testid="ticket-list"></ul>
<p class="list-empty" data-ref="empty" data-testid="ticket-empty"></p>
`);

class Tickets extends HTMLElement {
  #inbox = null;
  #status = 'open';
  #items = new Map(); // ticket id → <li>

  connectedCallback() {
    if (this.firstElementChild) return; // built once
    stamp(this, markup);
    for (const button of this.querySelectorAll('[data-status]')) {
      button.addEventListener('click', () => this.#choose(button.dataset.status));
    }
    locale.addEventListener('change', () => this.#relabel());
  }

  // attach follows inbox's tickets; it is called again when the agent
  // switches workspace.
  attach(inbox) {
    this.#inbox = inbox;
    this.#status = 'open';
    this.#items.clear();
    this.#ref('list').replaceChildren();
    inbox.addEventListener('tickets', () => this.#render());
    inbox.addEventListener('members', () => this.#render());
    this.#render();
  }

  // show is called each time the page is opened: the list is reloaded.
  show() {
    this.#inbox.loadTickets(this.#status).catch((err) => toast(locale.errorText(err)));
    this.#render();
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  #choose(status) {
    this.#status = status;
    this.#inbox.loadTickets(status).catch((err) => toast(locale.errorText(err)));
    this.#render();
  }

  #relabel() {
    for (const li of this.#items.values()) li.remove();
    this.#items.clear();
    this.#render();
  }

  #render() {
    const inbox = this.#inbox;
    if (!inbox) return;
    for (const button of this.querySelectorAll('[data-status]')) {
      button.setAttribute('aria-pressed', String(button.dataset.status === this.#status));
      const count = button.querySelector('.count');
      if (count) {
        const n = inbox.ticketList(button.dataset.status).length;
        count.textContent = n || '';
      }
    }
    const ul = this.#ref('list');
    const tickets = inbox.ticketList(this.#status);
    const keep = new Set();
    tickets.forEach((tk, i) => {
      let li = this.#items.get(tk.id);
      if (!li) {
        li = this.#build(tk);
        this.#items.set(tk.id, li);
      }
      this.#fill(li, tk);
      keep.add(tk.id);
      if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] ?? null);
    });
    for (const [id, li] of this.#items) {
      if (!keep.has(id)) {
        li.remove();
        this.#items.delete(id);
      }
    }
    const empty = this.#ref('empty');
    empty.hidden = tickets.length > 0;
    empty.textContent = t(this.#status === 'open' ? 'tickets.empty_open' : 'tickets.empty_solved');
  }

  // #build makes a ticket's card: what the customer left, and a form to
  // record how it was handled, shown by "Process".
  #build(tk) {
    const form = h('form', { class: 'ticket-form', dataset: { testid: 'ticket-form' }, hidden: true },
      h('label', {},
        h('span', {}, t('tickets.note')),
        h('textarea', { name: 'note', rows: 3, maxlength: 2000, dataset: { testid: 'ticket-note' } })),
      h('div', { class: 'ticket-form-row' },
        h('label', {},
          h('span', {}, t('tickets.assignee')),
          h('select', { name: 'assignee', dataset: { testid: 'ticket-assignee' } })),
        h('label', {},
          h('span', {}, t('tickets.status')),
          h('select', { name: 'status', dataset: { testid: 'ticket-status' } },
            h('option', { value: 'open' }, t('ticket_status.open')),
            h('option', { value: 'solved' }, t('ticket_status.solved'))))),
      h('p', { class: 'form-error', role: 'alert', dataset: { testid: 'ticket-error' } }),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', dataset: { testid: 'ticket-cancel', action: 'cancel' } }, t('conv.cancel')),
        h('button', { type: 'submit', class: 'primary', dataset: { testid: 'ticket-save' } }, t('tickets.save'))));
    const li = h('li', { class: 'ticket', dataset: { testid: 'ticket', ticketId: tk.id } },
      h('div', { class: 'ticket-head' },
        h('strong', { class: 'ticket-name', dataset: { field: 'name' } }),
        h('span', { class: 'ticket-contact', dataset: { field: 'contact' } }),
        h('span', { class: 'chip', dataset: { field: 'status' } }),
        h('sodam-time', { dataset: { field: 'created' } })),
      h('p', { class: 'ticket-message', dataset: { field: 'message' } }),
      h('p', { class: 'ticket-outcome', dataset: { field: 'outcome' } }),
      h('button', { type: 'button', class: 'secondary ticket-process', dataset: { testid: 'ticket-process' } }),
      form);
    li.querySelector('.ticket-process').addEventListener('click', () => this.#openForm(li));
    form.querySelector('[data-action=cancel]').addEventListener('click', () => this.#closeForm(li));
    form.addEventListener('submit', (e) => this.#save(e, li));
    return li;
  }

  #fill(li, tk) {
    li.dataset.status = tk.status;
    const field = (name) => li.querySelector(`[data-field=${name}]`);
    field('name').textContent = tk.name;
    field('contact').replaceChildren(contactLink(tk.contact));
    field('status').textContent = t('ticket_status.' + tk.status);
    field('status').dataset.state = tk.status === 'open' ? 'unassigned' : 'closed';
    field('created').setAttribute('datetime', tk.created_at);
    field('message').textContent = tk.message;
    const assignee = tk.assignee_id ? this.#inbox.members.get(tk.assignee_id)?.name ?? `#${tk.assignee_id}` : '';
    const outcome = [
      assignee && t('tickets.assigned_to', { name: assignee }),
      tk.solved_at && t('tickets.solved_at', { time: exactTime(new Date(tk.solved_at)) }),
    ].filter(Boolean).join(' · ');
    field('outcome').replaceChildren(...[
      outcome && h('span', {}, outcome),
      tk.note && h('span', { class: 'ticket-note', dataset: { testid: 'ticket-note-text' } }, tk.note),
    ].filter(Boolean));
    field('outcome').hidden = !outcome && !tk.note;
    const process = li.querySelector('.ticket-process');
    process.textContent = t(tk.status === 'open' ? 'tickets.process' : 'tickets.edit');
    const form = li.querySelector('form');
    process.hidden = !form.hidden;
    if (form.hidden) this.#fillForm(form, tk);
  }

  // #fillForm sets the form from the ticket. Processing an open ticket
  // proposes what processing usually means: me, solved.
  #fillForm(form, tk) {
    const f = form.elements;
    f.assignee.replaceChildren(
      h('option', { value: 0 }, t('tickets.nobody')),
      ...[...this.#inbox.members.values()]
        .filter((m) => isActive(m) || m.agent_id === tk.assignee_id)
        .sort((a, b) => a.name.localeCompare(b.name, locale.lang))
        .map((m) => h('option', { value: m.agent_id }, m.name)));
    f.assignee.value = String(tk.assignee_id || (tk.status === 'open' ? this.#inbox.agentId : 0));
    f.status.value = tk.status === 'open' ? 'solved' : tk.status;
    f.note.value = tk.note;
  }

  #openForm(li) {
    const tk = this.#inbox.tickets.get(Number(li.dataset.ticketId));
    const form = li.querySelector('form');
    this.#fillForm(form, tk);
    form.querySelector('.form-error').replaceChildren();
    form.hidden = false;
    li.querySelector('.ticket-process').hidden = true;
    form.elements.note.focus();
  }

  #closeForm(li) {
    li.querySelector('form').hidden = true;
    this.#fill(li, this.#inbox.tickets.get(Number(li.dataset.ticketId)));
  }

  async #save(e, li) {
    e.preventDefault();
    const form = e.target;
    const f = form.elements;
    const id = Number(li.dataset.ticketId);
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    try {
      const tk = await this.#inbox.request('PATCH', `/tickets/${id}`, {
        note: f.note.value.trim(), assignee_id: Number(f.assignee.value), status: f.status.value,
      });
      form.hidden = true;
      this.#inbox.setTicket(tk);
      toast(t('tickets.saved'));
    } catch (err) {
      formError(form.querySelector('.form-error'), err);
    } finally {
      submit.disabled = false;
    }
  }
}

// contactLink makes an email address or a phone number something to click.
// The visitor typed it, so it goes in as text and into a fixed scheme.
function contactLink(contact) {
  if (contact.includes('@')) return h('a', { href: 'mailto:' + encodeURIComponent(contact).replace('%40', '@') }, contact);
  const digits = contact.replace(/[^\d+]/g, '');
  return digits ? h('a', { href: 'tel:' + digits }, contact) : contact;
}

customElements.define('sodam-tickets', Tickets);
