// A ticket's message and its masks on the ticket page (§7.1, §11): a left
// message is stored masked under automatic masking, and each masked span
// is drawn as pii.js draws a chat message's — a button that asks for a
// reason and shows the original for a moment, or, with the restore role,
// puts it back for everyone. In suggest (and auto) mode what looks like
// personal information outside the masks is underlined and masks in one
// click, and a selection of the message masks with pii.js's button (or
// Ctrl+Shift+M), as in a chat. Originals seen are kept for the open
// ticket only. Offsets are code points, as the API counts them.
import { h } from '../shared/dom.js';
import { locale, t } from './i18n.js';
import { openUnmask, SelectionMask } from './pii.js';
import { toast } from './toast.js';

const rank = { agent: 1, manager: 2, master: 3 };
const codePoints = (s) => Array.from(s ?? '');

export class TicketPII {
  #inbox; // () => the inbox
  #changed; // (ticket) after a mask or an unmask
  #redraw; // () when findings arrive
  #dialog;
  #selecting; // the mask button over a selection of the message
  #shown = null; // the ticket body() last drew
  #revealed = new Map(); // ticket id → originals shown for a moment
  #findings = new Map(); // ticket id → { text, list } (list null while scanning)

  constructor(host, inbox, changed, redraw) {
    this.#inbox = inbox;
    this.#changed = changed;
    this.#redraw = redraw;
    this.#dialog = h('dialog', { class: 'dialog form-dialog', dataset: { testid: 'ticket-unmask-dialog' }, 'aria-labelledby': 'ticket-unmask-title' });
    host.append(this.#dialog);
    this.#selecting = new SelectionMask(host, (el) => {
      const tk = this.#shown;
      return tk && el.dataset.testid === 'ticket-message' ? { text: tk.message, mask: (start, end) => this.#mask(tk, { start, end }) } : null;
    });
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
    this.#findings.clear();
    this.#selecting.hide();
  }

  // #scan returns the findings of a ticket's message once known, and asks
  // for them the first time, as pii.js does a message's.
  #scan(tk) {
    const s = this.#settings;
    if (s.mode === 'off' || !/[0-9０-９@＠]/.test(tk.message ?? '')) return [];
    const kinds = s.kinds?.length ? new Set(s.kinds) : null;
    const known = this.#findings.get(tk.id);
    if (known?.text === tk.message) {
      return (known.list ?? []).map((f, index) => ({ ...f, index })).filter((f) => !kinds || kinds.has(f.kind));
    }
    this.#findings.set(tk.id, { text: tk.message, list: null });
    this.#inbox().request('POST', '/pii/scan', { text: tk.message }).then(({ findings }) => {
      const entry = this.#findings.get(tk.id);
      if (entry?.text !== tk.message) return;
      entry.list = findings;
      if (findings.length) this.#redraw();
    }).catch(() => this.#findings.delete(tk.id));
    return [];
  }

  // #mask masks a finding ({ finding }) or a span ({ start, end }).
  async #mask(tk, body) {
    try {
      this.#changed(await this.#inbox().request('POST', `/tickets/${tk.id}/mask`, body));
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  // body draws a ticket's message: its text, masked spans as buttons and
  // originals seen as marks.
  body(tk) {
    this.#shown = tk;
    const p = h('p', { class: 'entry-body', dataset: { pii: 'true', testid: 'ticket-message' } });
    const text = codePoints(tk.message);
    const revealed = this.#revealed.get(tk.id) ?? [];
    let at = 0;
    const plain = (from, to) => {
      if (to > from) p.append(h('span', { dataset: { start: from } }, text.slice(from, to).join('')));
    };
    const masks = tk.masks ?? [];
    const marks = masks.map((k) => ({ ...k, type: 'masked' }));
    for (const f of this.#scan(tk)) {
      if (!masks.some((k) => f.start < k.end && k.start < f.end)) marks.push({ ...f, type: 'finding' });
    }
    for (const k of marks.sort((a, b) => a.start - b.start)) {
      plain(at, k.start);
      const data = { start: k.start, end: k.end, kind: k.kind };
      const kind = t('pii.kind.' + k.kind);
      const open = revealed.find((o) => o.start === k.start && o.end === k.end);
      if (k.type === 'finding') {
        p.append(h('button', {
          type: 'button', class: 'pii-finding', dataset: { ...data, testid: 'pii-finding' },
          title: t('pii.mask_finding', { kind }), onclick: () => this.#mask(tk, { finding: k.index }),
        }, text.slice(k.start, k.end).join('')));
      } else if (open) {
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
    openUnmask(this.#dialog, 'ticket-unmask-title', k.kind, this.#settings, (role) => this.#may(role),
      (body) => this.#inbox().request('POST', `/tickets/${tk.id}/unmask`, { start: k.start, end: k.end, ...body }),
      (res, permanent) => {
        if (!permanent) this.#revealed.set(tk.id, [...(this.#revealed.get(tk.id) ?? []), ...res.originals]);
        this.#changed(res.ticket);
      });
  }
}
