// <sodam-details> is the right-hand panel: the open conversation's facts
// and the customer's profile with the extra parameters their site passed.
import { h } from '../widget/dom.js';
import { exactTime, locale, t } from './i18n.js';
import { toast } from './toast.js';

class Details extends HTMLElement {
  #inbox = null;
  #id = 0;
  #customer = null;

  connectedCallback() {
    locale.addEventListener('change', () => this.#render());
  }

  attach(inbox) {
    this.#inbox = inbox;
    inbox.addEventListener('open', (e) => this.#load(e.detail));
    inbox.addEventListener('conversation', (e) => {
      if (e.detail.id === this.#id) this.#render();
    });
    this.#load(0);
  }

  async #load(id) {
    this.#id = id;
    this.#customer = null;
    this.#render();
    if (!id) return;
    try {
      const { conversation, customer } = await this.#inbox.request('GET', `/conversations/${id}`);
      if (this.#id !== id) return;
      this.#customer = customer;
      this.#inbox.upsert(conversation);
    } catch (err) {
      if (this.#id === id) toast(locale.errorText(err));
    }
  }

  #render() {
    const c = this.#inbox?.conversations.get(this.#id);
    const cu = this.#customer;
    this.dataset.state = this.#id ? 'open' : 'empty';
    this.querySelector('[data-ref=conversation]').replaceChildren(...(c ? [
      row('room', t('conv.room', { no: c.room_no })),
      row('identifier', c.identifier),
      row('channel', label('channel.', c.channel)),
      row('state', t('state.' + c.state)),
      row('assignee', c.assignee_name || t('state.unassigned')),
      row('started', time(c.created_at)),
      c.closed_at && row('closed', time(c.closed_at)),
      c.close_reason && row('close_reason', label('close_reason.', c.close_reason)),
    ] : []).flat().filter(Boolean));
    this.querySelector('[data-ref=customer]').replaceChildren(...(cu ? [
      row('customer_id', cu.customer_id, t(cu.verified ? 'details.verified' : 'details.anonymous')),
      row('name', cu.name),
      row('email', cu.email),
      row('phone', cu.phone),
      row('language', cu.language),
      ...Object.entries(cu.extra ?? {}).sort().map(([key, value]) => extraRow(key, value)),
    ] : []).flat());
  }
}

// row is one <dt>/<dd> pair; an empty value shows as a dash.
function row(field, value, note) {
  return [
    h('dt', {}, t('details.' + field)),
    h('dd', { dataset: { field } }, value || t('details.none'), note && h('span', { class: 'note' }, note)),
  ];
}

function extraRow(key, value) {
  return [h('dt', { title: key }, key.replace(/^cus_extra_/, '')), h('dd', { dataset: { field: key } }, value)];
}

// label translates a code the server may extend, showing it as is when
// the catalog does not know it yet.
function label(prefix, code) {
  return locale.has(prefix + code) ? t(prefix + code) : code;
}

function time(iso) {
  return h('time', { datetime: iso }, exactTime(new Date(iso)));
}

customElements.define('sodam-details', Details);
