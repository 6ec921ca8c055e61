// What the integration cards share (webhooks, channels, alert targets):
// a list of the workspace's endpoints of one kind, for masters only, with
// a form to add one, a one-time box for the secrets an endpoint is
// created with, deletion, and each endpoint's deliveries in a dialog —
// status, attempts, the receiver's last code and the start of its answer
// (as text), with redelivery of one or of every failed one.
import { h } from '../../shared/dom.js';
import { copyText } from '../copy.js';
import { formError, label, locale, t } from '../i18n.js';
import { toast } from '../toast.js';
import { ask, SettingsCard } from './card.js';

export class EndpointsCard extends SettingsCard {
  // resource is the API path under the workspace; listKey the answer's
  // key; prefix names the card's strings and test IDs.
  static resource = '';
  static listKey = '';
  static prefix = '';
  #rows = [];

  build() {
    this.onSubmit(this.ref('form'), () => this.#create());
    this.ref('done').addEventListener('click', () => this.#hideSecrets());
  }

  relabel() {
    this.#render();
  }

  get editable() {
    return Boolean(this.inbox?.isMaster);
  }

  attach(inbox) {
    super.attach(inbox);
    this.#rows = [];
    this.#hideSecrets();
    this.#render();
  }

  show(inbox) {
    super.show(inbox);
    this.hidden = !this.editable;
  }

  async load() {
    if (!this.editable) return;
    try {
      const out = await this.inbox.request('GET', '/' + this.constructor.resource);
      this.#rows = out[this.constructor.listKey] ?? [];
      this.loaded(out);
    } catch (err) {
      toast(locale.errorText(err));
    }
    this.#render();
  }

  // loaded tells the card the list's whole answer (its other fields).
  loaded() {}

  // body reads the form into the request; null when the form is incomplete
  // (the card has said why).
  body() {
    return null;
  }

  // cells are a row's cells after its first (its name).
  cells() {
    return [];
  }

  // name is a row's first cell.
  name(row) {
    return row.url;
  }

  // secrets are the one-time values of a creation's answer: [label, value].
  secrets() {
    return [];
  }

  // #label names a row: its name, or, for an address that no longer
  // opens (the secret key changed, so it reads as empty), words saying so;
  // the row then says how to mend it (address_unreadable).
  #label(row) {
    return this.name(row) || t('endpoints.unreadable_name');
  }

  #render() {
    const p = this.constructor.prefix;
    this.ref('rows').replaceChildren(...this.#rows.map((row) => h('tr', { dataset: { id: row.id, testid: p + '-row' } },
      h('th', { scope: 'row' }, h('span', { class: 'endpoint-name' }, this.#label(row)),
        row.address_unreadable && h('p', { class: 'form-error', dataset: { testid: p + '-unreadable' } }, t('endpoints.unreadable'))),
      ...this.cells(row),
      h('td', { class: 'actions-cell' }, h('div', { class: 'row-actions' },
        h('button', {
          type: 'button', class: 'secondary small', dataset: { testid: p + '-deliveries' },
          onclick: () => openDeliveries(this.inbox, `/${this.constructor.resource}/${row.id}`, this.#label(row)),
        }, t('deliveries.open')),
        h('button', {
          type: 'button', class: 'secondary small warn', dataset: { testid: p + '-delete' },
          'aria-label': `${t('endpoints.delete')} · ${this.#label(row)}`,
          onclick: (e) => this.#delete(row, e.target),
        }, t('endpoints.delete')))))));
    this.ref('empty').hidden = this.#rows.length > 0;
  }

  async #create() {
    const form = this.ref('form');
    const box = this.ref('error');
    box.replaceChildren();
    const body = this.body(form, box);
    if (!body) return;
    form.elements.submit.disabled = true;
    try {
      const created = await this.inbox.request('POST', '/' + this.constructor.resource, body);
      form.reset();
      this.#showSecrets(this.secrets(created));
      this.#rows = [created, ...this.#rows.filter((r) => r.id !== created.id)];
      this.#render();
    } catch (err) {
      formError(box, err);
    } finally {
      form.elements.submit.disabled = false;
    }
  }

  #showSecrets(pairs) {
    const box = this.ref('secrets');
    if (!pairs.length) return;
    box.replaceChildren(...pairs.map(([name, value, testid]) => {
      const input = h('input', { readonly: true, spellcheck: 'false', value, 'aria-label': name, dataset: { testid } });
      const copy = h('button', { type: 'button', class: 'secondary' }, t('settings.copy'));
      copy.addEventListener('click', () => copyText(input, copy));
      return h('label', { class: 'secret-field' }, h('span', {}, name), h('div', { class: 'copy-box' }, input, copy));
    }));
    this.ref('secret-box').hidden = false;
    this.ref('secret-box').scrollIntoView({ block: 'nearest' });
  }

  // #hideSecrets forgets the secrets: they are never shown again.
  #hideSecrets() {
    this.ref('secrets').replaceChildren();
    this.ref('secret-box').hidden = true;
  }

  async #delete(row, button) {
    if (!(await ask(t('endpoints.delete_confirm', { name: this.#label(row) }), t('endpoints.delete')))) return;
    button.disabled = true;
    try {
      await this.inbox.request('DELETE', `/${this.constructor.resource}/${row.id}`);
      this.#rows = this.#rows.filter((r) => r.id !== row.id);
      this.#render();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }
}

// eventsText lists subscribed event types by their names.
export const eventsText = (events) => h('span', { class: 'chips' }, (events ?? []).map((e) => h('span', { class: 'chip' }, label('event.', e))));

// eventChecks are a checkbox per event type, named name, for a form's
// fieldset (labels follow the language: data-i18n).
export const eventChecks = (name, types, on, code = false) => types.map((e) => h('label', { class: 'check' },
  h('input', { type: 'checkbox', name, value: e, checked: on.includes(e) }),
  h('span', { dataset: { i18n: 'event.' + e } }, t('event.' + e)),
  code && h('code', {}, e)));

// checked reads a group of checkboxes.
export const checked = (form, name) => [...form.querySelectorAll(`[name=${name}]:checked`)].map((c) => c.value);

// openDeliveries shows an endpoint's deliveries in a dialog.
function openDeliveries(inbox, path, name) {
  let dialog = document.getElementById('deliveries-dialog');
  if (!dialog) {
    dialog = h('dialog', { id: 'deliveries-dialog', class: 'dialog deliveries-dialog', dataset: { testid: 'deliveries-dialog' } });
    document.body.append(dialog);
  }
  let list = [];
  let failedOnly = false;
  let cursor = '';
  const heading = h('h2', {});
  const table = h('tbody', {});
  const empty = h('p', { class: 'help', dataset: { testid: 'deliveries-empty' } });
  const moreButton = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'deliveries-more' } });
  const filter = h('input', { type: 'checkbox', dataset: { testid: 'deliveries-failed-only' } });
  const redeliverAll = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'deliveries-redeliver-failed' } });
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'deliveries-refresh' } });
  const close = h('button', { type: 'button', class: 'primary', dataset: { testid: 'deliveries-close' }, onclick: () => dialog.close() });
  const filterText = h('span', {});
  const cols = ['deliveries.status', 'deliveries.event', 'deliveries.attempts', 'deliveries.code', 'deliveries.answer', 'deliveries.when', ''];
  const head = h('tr', {});
  const render = () => {
    heading.textContent = t('deliveries.heading', { name });
    filterText.textContent = t('deliveries.failed_only');
    moreButton.textContent = t('deliveries.more');
    redeliverAll.textContent = t('deliveries.redeliver_failed');
    refresh.textContent = t('deliveries.refresh');
    close.textContent = t('team.done');
    head.replaceChildren(...cols.map((c) => h('th', { scope: 'col' }, c ? t(c) : h('span', { class: 'sr-only' }, t('team.actions')))));
    table.replaceChildren(...list.map((d) => h('tr', { dataset: { id: d.id, status: d.status, testid: 'delivery-row' } },
      h('td', { dataset: { label: t('deliveries.status') } }, h('span', { class: 'chip delivery-status', dataset: { status: d.status } }, label('delivery_status.', d.status))),
      h('td', { dataset: { label: t('deliveries.event') } }, label('event.', d.event_type), h('small', { class: 'note' }, `msg_${d.id}`)),
      h('td', { dataset: { label: t('deliveries.attempts') } }, String(d.attempts)),
      h('td', { dataset: { label: t('deliveries.code'), testid: 'delivery-code' } }, d.last_code ? String(d.last_code) : '—'),
      h('td', { class: 'delivery-answer', dataset: { label: t('deliveries.answer') } },
        d.last_error && h('span', { class: 'delivery-error' }, d.last_error),
        d.last_body && h('code', { class: 'delivery-body' }, d.last_body)),
      h('td', { dataset: { label: t('deliveries.when') } }, h('sodam-time', { datetime: d.done_at ?? d.next_at })),
      h('td', { class: 'actions-cell' }, h('button', {
        type: 'button', class: 'secondary small', dataset: { testid: 'delivery-redeliver' },
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const updated = await inbox.request('POST', `${path}/deliveries/${d.id}/redeliver`);
            list = list.map((x) => (x.id === d.id ? updated : x));
            render();
            setTimeout(reload, 1500);
          } catch (err) {
            toast(locale.errorText(err));
            e.target.disabled = false;
          }
        },
      }, t('deliveries.redeliver'))))));
    empty.textContent = t(failedOnly ? 'deliveries.none_failed' : 'deliveries.none');
    empty.hidden = list.length > 0;
    moreButton.hidden = !cursor;
  };
  const fetchPage = async (after) => {
    const q = new URLSearchParams({ limit: '50' });
    if (failedOnly) q.set('status', 'failed');
    if (after) q.set('cursor', after);
    const { deliveries, next_cursor: next } = await inbox.request('GET', `${path}/deliveries?${q}`);
    cursor = next ?? '';
    return deliveries ?? [];
  };
  const reload = async () => {
    try {
      list = await fetchPage();
    } catch (err) {
      toast(locale.errorText(err));
    }
    if (dialog.open) render();
  };
  moreButton.addEventListener('click', async () => {
    try {
      list = [...list, ...await fetchPage(cursor)];
      render();
    } catch (err) {
      toast(locale.errorText(err));
    }
  });
  filter.addEventListener('change', () => {
    failedOnly = filter.checked;
    reload();
  });
  refresh.addEventListener('click', reload);
  redeliverAll.addEventListener('click', async () => {
    redeliverAll.disabled = true;
    try {
      const { redelivered } = await inbox.request('POST', `${path}/redeliver-failed`);
      toast(t('deliveries.redelivered', { n: redelivered }));
      await reload();
      setTimeout(reload, 1500);
    } catch (err) {
      toast(locale.errorText(err));
    } finally {
      redeliverAll.disabled = false;
    }
  });
  dialog.replaceChildren(heading,
    h('div', { class: 'deliveries-tools' }, h('label', { class: 'check' }, filter, filterText), refresh, redeliverAll),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table endpoint-table deliveries-table' }, h('thead', {}, head), table)),
    empty, moreButton, h('div', { class: 'dialog-actions' }, close));
  render();
  dialog.showModal();
  reload();
}
