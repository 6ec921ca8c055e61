// A left message's masks on the ticket page (§7.1, §11): the visitor's
// message is stored masked under automatic masking, and each masked span
// is drawn as pii.js draws a chat message's — a button that asks for a
// reason and shows the original for a moment, or, with the restore role,
// puts it back for everyone. Originals seen are kept for the open ticket
// only. Offsets are code points, as the API counts them.
import { h } from '../shared/dom.js';
import { formError, t } from './i18n.js';

const rank = { agent: 1, manager: 2, master: 3 };
const codePoints = (s) => Array.from(s ?? '');

export class TicketPII {
  #inbox; // () => the inbox
  #changed; // (ticket, restored) after an unmask
  #dialog;
  #revealed = new Map(); // ticket id → originals shown for a moment

  constructor(host, inbox, changed) {
    this.#inbox = inbox;
    this.#changed = changed;
    this.#dialog = h('dialog', { class: 'dialog form-dialog', dataset: { testid: 'ticket-unmask-dialog' }, 'aria-labelledby': 'ticket-unmask-title' });
    host.append(this.#dialog);
  }

  get #settings() {
    return this.#inbox().settings?.pii ?? { mode: 'suggest', view_role: 'manager', restore_role: 'manager' };
  }

  #may(role) {
    return (rank[this.#inbox().role] ?? 0) >= (rank[role] ?? 2);
  }

  // forget drops the originals seen, when another ticket opens.
  forget() {
    this.#revealed.clear();
  }

  // body draws a ticket's message: its text, masked spans as buttons and
  // originals seen as marks.
  body(tk) {
    const p = h('p', { class: 'entry-body', dataset: { pii: 'true', testid: 'ticket-message' } });
    const text = codePoints(tk.message);
    const revealed = this.#revealed.get(tk.id) ?? [];
    let at = 0;
    const plain = (from, to) => {
      if (to > from) p.append(h('span', { dataset: { start: from } }, text.slice(from, to).join('')));
    };
    for (const k of [...(tk.masks ?? [])].sort((a, b) => a.start - b.start)) {
      plain(at, k.start);
      const data = { start: k.start, end: k.end, kind: k.kind };
      const kind = t('pii.kind.' + k.kind);
      const open = revealed.find((o) => o.start === k.start && o.end === k.end);
      if (open) {
        p.append(h('mark', { class: 'revealed', dataset: { ...data, testid: 'revealed-span' }, title: t('pii.revealed_hint_ticket') }, open.text));
      } else {
        const may = this.#may(this.#settings.view_role) || this.#may(this.#settings.restore_role);
        p.append(h('button', {
          type: 'button', class: 'masked', dataset: { ...data, testid: 'masked-span' }, disabled: !may,
          title: may ? t('pii.unmask_hint', { kind }) : t('pii.masked_hint', { kind }),
          onclick: () => this.#openUnmask(tk, k),
        }, text.slice(k.start, k.end).join('')));
      }
      at = k.end;
    }
    plain(at, text.length);
    return p;
  }

  #openUnmask(tk, k) {
    const s = this.#settings;
    const mayView = this.#may(s.view_role);
    const mayRestore = this.#may(s.restore_role);
    const error = h('p', { class: 'form-error', role: 'alert', dataset: { testid: 'unmask-error' } });
    const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 500, 'aria-required': 'true', dataset: { testid: 'unmask-reason' } });
    const permanent = h('input', { type: 'checkbox', name: 'permanent', dataset: { testid: 'unmask-permanent' }, disabled: !mayRestore, checked: !mayView });
    const form = h('form', { method: 'dialog' },
      h('h2', { id: 'ticket-unmask-title' }, t('pii.unmask_title')),
      h('p', { class: 'help' }, t('pii.unmask_help', { kind: t('pii.kind.' + k.kind) })),
      h('label', {}, h('span', {}, t('pii.unmask_reason')), reason),
      h('label', { class: 'check' }, permanent, h('span', {}, t('pii.unmask_permanent'))),
      h('p', { class: 'help' }, t(mayRestore ? 'pii.unmask_permanent_help' : 'pii.unmask_permanent_role', { role: t('role.' + s.restore_role) })),
      error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', dataset: { testid: 'unmask-cancel' }, onclick: () => this.#dialog.close() }, t('conv.cancel')),
        h('button', { type: 'submit', class: 'primary', dataset: { testid: 'unmask-confirm' } }, t('pii.unmask_confirm'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        error.textContent = t('error.reason_required');
        return;
      }
      try {
        const res = await this.#inbox().request('POST', `/tickets/${tk.id}/unmask`,
          { start: k.start, end: k.end, reason: reason.value.trim(), permanent: permanent.checked });
        this.#dialog.close();
        if (!permanent.checked) this.#revealed.set(tk.id, [...(this.#revealed.get(tk.id) ?? []), ...res.originals]);
        this.#changed(res.ticket, permanent.checked);
      } catch (err) {
        formError(error, err);
      }
    });
    this.#dialog.replaceChildren(form);
    this.#dialog.showModal();
    reason.focus();
  }
}
