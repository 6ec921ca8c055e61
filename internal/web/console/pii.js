// Personal information in the open conversation (§11): masked spans drawn
// as buttons that open the unmask dialog, findings underlined with a
// one-click mask, a mask button for a selection (and Ctrl+Shift+M), and
// the composer's warning before an agent sends what looks like a full
// resident registration or card number. A file's name is a message's text
// too, and masks alike. Offsets are code points, as the API counts them;
// every piece of a bubble carries its data-start.
import { h } from '../shared/dom.js';
import { formError, locale, t } from './i18n.js';
import { toast } from './toast.js';

const rank = { agent: 1, manager: 2, master: 3 };
const codePoints = (s) => Array.from(s ?? '');
// The kinds the composer warns about: numbers whose whole value is the harm.
const warnKinds = new Set(['rrn', 'foreigner_rn', 'card']);

// A long conversation asks for many scans at once; two at a time leave the
// browser's connections free for what the agent does meanwhile.
function queue(limit) {
  let running = 0;
  const waiting = [];
  const next = () => {
    if (running >= limit || waiting.length === 0) return;
    running++;
    const { job, resolve, reject } = waiting.shift();
    job().then(resolve, reject).finally(() => {
      running--;
      next();
    });
  };
  return (job) => new Promise((resolve, reject) => {
    waiting.push({ job, resolve, reject });
    next();
  });
}
const scans = queue(2);

// openUnmask asks in dialog why an original of kind is needed and, to a
// member with the restore role, whether to put it back for everyone; then
// send({reason, permanent}) and, once it succeeds, done(answer, permanent).
// A chat message's masks and a ticket's (ticketpii.js) share it.
export function openUnmask(dialog, titleId, kind, settings, may, send, done) {
  const mayView = may(settings.view_role);
  const mayRestore = may(settings.restore_role);
  const error = h('p', { class: 'form-error', role: 'alert', dataset: { testid: 'unmask-error' } });
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 500, 'aria-required': 'true', dataset: { testid: 'unmask-reason' } });
  const permanent = h('input', { type: 'checkbox', name: 'permanent', dataset: { testid: 'unmask-permanent' }, disabled: !mayRestore, checked: !mayView });
  const form = h('form', { method: 'dialog' },
    h('h2', { id: titleId }, t('pii.unmask_title')),
    h('p', { class: 'help' }, t('pii.unmask_help', { kind: t('pii.kind.' + kind) })),
    h('label', {}, h('span', {}, t('pii.unmask_reason')), reason),
    h('label', { class: 'check' }, permanent, h('span', {}, t('pii.unmask_permanent'))),
    h('p', { class: 'help' }, t(mayRestore ? 'pii.unmask_permanent_help' : 'pii.unmask_permanent_role', { role: t('role.' + settings.restore_role) })),
    error,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'secondary', dataset: { testid: 'unmask-cancel' }, onclick: () => dialog.close() }, t('conv.cancel')),
      h('button', { type: 'submit', class: 'primary', dataset: { testid: 'unmask-confirm' } }, t('pii.unmask_confirm'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!reason.value.trim()) {
      error.textContent = t('error.reason_required');
      return;
    }
    try {
      const res = await send({ reason: reason.value.trim(), permanent: permanent.checked });
      dialog.close();
      done(res, permanent.checked);
    } catch (err) {
      formError(error, err);
    }
  });
  dialog.replaceChildren(form);
  dialog.showModal();
  reason.focus();
}

// SelectionMask puts a mask button over text selected inside one of
// host's [data-pii] elements (a bubble, a file's name, a ticket's
// message), and masks the selection with Ctrl+Shift+M too. target(el)
// names what el shows: { text, mask(start, end) }, or null when it is not
// something to mask. Every piece of el's text carries its data-start.
export class SelectionMask {
  #host;
  #target;
  #button;

  constructor(host, target) {
    this.#host = host;
    this.#target = target;
    this.#button = h('button', {
      type: 'button', class: 'mask-selection', hidden: true, dataset: { testid: 'mask-selection' },
      title: t('pii.mask_selection_key'), onmousedown: (e) => e.preventDefault(), onclick: () => this.#mask(),
    }, t('pii.mask_selection'));
    host.append(this.#button);
    document.addEventListener('selectionchange', () => this.#place());
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey && e.shiftKey && (e.key === 'M' || e.key === 'm') && this.#selection()) {
        e.preventDefault();
        this.#mask();
      }
    });
    locale.addEventListener('change', () => {
      this.#button.textContent = t('pii.mask_selection');
      this.#button.title = t('pii.mask_selection_key');
    });
  }

  hide() {
    this.#button.hidden = true;
  }

  // #selection is the selected span of one [data-pii] element: its
  // target, code-point offsets and range, or null.
  #selection() {
    const sel = document.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
    const range = sel.getRangeAt(0);
    const element = (n) => (n.nodeType === Node.ELEMENT_NODE ? n : n.parentElement)?.closest('[data-pii]');
    const el = element(range.startContainer);
    if (!el || el !== element(range.endContainer) || !this.#host.contains(el)) return null;
    const target = this.#target(el);
    if (!target) return null;
    const text = codePoints(target.text);
    const offset = (node, off) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const piece = node.parentElement.closest('[data-start]');
        return Number(piece.dataset.start) + codePoints(node.data.slice(0, off)).length;
      }
      // An element boundary: before its off-th child.
      const child = node.childNodes[off];
      if (child) return Number((child.nodeType === Node.ELEMENT_NODE ? child : child.parentElement).closest('[data-start]')?.dataset.start ?? 0);
      return text.length;
    };
    let start = offset(range.startContainer, range.startOffset);
    let end = offset(range.endContainer, range.endOffset);
    // A selection ending in white space (a double click) keeps it out.
    while (end > start && /\s/.test(text[end - 1])) end--;
    while (start < end && /\s/.test(text[start])) start++;
    return end > start ? { target, start, end, range } : null;
  }

  #place() {
    const s = this.#selection();
    if (!s) {
      this.#button.hidden = true;
      return;
    }
    const r = s.range.getBoundingClientRect();
    const host = this.#host.getBoundingClientRect();
    this.#button.hidden = false;
    // A host that scrolls (the history page's panel) moves the button with its content.
    this.#button.style.left = `${Math.max(8, Math.min(r.left - host.left, host.width - 120))}px`;
    this.#button.style.top = `${Math.max(8, r.top - host.top - 40) + this.#host.scrollTop}px`;
  }

  #mask() {
    const s = this.#selection();
    if (!s) return;
    document.getSelection().removeAllRanges();
    this.#button.hidden = true;
    s.target.mask(s.start, s.end);
  }
}

export class PII {
  #host;
  #inbox;
  #thread;
  #conversation; // () => the open conversation's ID
  #findings = new Map(); // message id → { body, list } (list null while scanning)
  #revealed = new Map(); // message id → originals shown for a moment
  #selecting; // the mask button over a selection (SelectionMask)
  #dialog;
  #warning;

  constructor(host, { inbox, thread, conversation }) {
    this.#host = host;
    this.#inbox = inbox;
    this.#thread = thread;
    this.#conversation = conversation;
    this.#selecting = new SelectionMask(host, (el) => {
      const li = el.closest('li[data-message-id]');
      const m = li && this.#thread().message(Number(li.dataset.messageId));
      return m ? { text: m.body, mask: (start, end) => this.#mask(m, { start, end }) } : null;
    });
    this.#dialog = this.#buildDialog();
    this.#warning = this.#buildWarning();
    host.append(this.#dialog, this.#warning);
  }

  get #settings() {
    return this.#inbox().settings.pii ?? { mode: 'suggest', view_role: 'manager', restore_role: 'manager' };
  }

  #may(role) {
    return (rank[this.#inbox().role] ?? 0) >= (rank[role] ?? 2);
  }

  // forget drops what was shown for the last conversation.
  forget() {
    this.#findings.clear();
    this.#revealed.clear();
    this.#selecting.hide();
  }

  // bubble draws a text message's body: text, masks and findings.
  bubble(m) {
    return this.#draw(m, this.#marks(m), h('p', { class: 'bubble', dataset: { pii: 'true' } }));
  }

  // fileName draws a file message's name the same way, for attachmentView
  // (shared/files.js): { name, saveAs } — the name with its marks, and
  // the original name to save the file under once the agent has seen the
  // originals of every mask — or null while there is nothing to mark.
  fileName(m) {
    const marks = this.#marks(m);
    if (marks.length === 0) return null;
    const name = this.#draw(m, marks, h('span', { class: 'file-name', dataset: { pii: 'true', testid: 'file-name' } }));
    const masks = marks.filter((k) => k.type !== 'finding');
    if (masks.length === 0 || masks.some((k) => k.type !== 'revealed')) return { name };
    const body = codePoints(m.body);
    let saveAs = '';
    let at = 0;
    for (const k of masks) {
      saveAs += body.slice(at, k.start).join('') + k.text;
      at = k.end;
    }
    return { name, saveAs: saveAs + body.slice(at).join('') };
  }

  // #marks are a message's masks (seen ones with their original), and
  // its findings outside them, in order.
  #marks(m) {
    const masks = m.masks ?? [];
    const revealed = this.#revealed.get(m.id) ?? [];
    const found = m.id ? this.#scan(m) : [];
    const marks = [];
    for (const k of masks) {
      const open = revealed.find((o) => o.start === k.start && o.end === k.end);
      marks.push({ ...k, type: open ? 'revealed' : 'masked', text: open?.text });
    }
    for (const f of found) {
      if (!marks.some((k) => f.start < k.end && k.start < f.end)) marks.push({ ...f, type: 'finding' });
    }
    return marks.sort((a, b) => a.start - b.start);
  }

  // #draw fills p with a message's text, its marks drawn.
  #draw(m, marks, p) {
    const body = codePoints(m.body);
    let at = 0;
    const text = (from, to) => {
      if (to > from) p.append(h('span', { dataset: { start: from } }, body.slice(from, to).join('')));
    };
    for (const k of marks) {
      text(at, k.start);
      const piece = body.slice(k.start, k.end).join('');
      const data = { start: k.start, end: k.end, kind: k.kind };
      if (k.type === 'masked') {
        const may = this.#may(this.#settings.view_role) || this.#may(this.#settings.restore_role);
        p.append(h('button', {
          type: 'button', class: 'masked', dataset: { ...data, testid: 'masked-span' }, disabled: !may,
          title: may ? t('pii.unmask_hint', { kind: t('pii.kind.' + k.kind) }) : t('pii.masked_hint', { kind: t('pii.kind.' + k.kind) }),
          onclick: () => this.#openUnmask(m, k),
        }, piece));
      } else if (k.type === 'revealed') {
        p.append(h('mark', { class: 'revealed', dataset: { ...data, testid: 'revealed-span' }, title: t('pii.revealed_hint') }, k.text));
      } else {
        p.append(h('button', {
          type: 'button', class: 'pii-finding', dataset: { ...data, testid: 'pii-finding' },
          title: t('pii.mask_finding', { kind: t('pii.kind.' + k.kind) }),
          onclick: () => this.#mask(m, { finding: k.index }),
        }, piece));
      }
      at = k.end;
    }
    text(at, body.length);
    return p;
  }

  // #scan returns the findings of a message once known, and asks for them
  // the first time (in suggest and auto modes: auto masks only visitors'
  // messages and only its kinds, so the rest are suggested). A file's
  // name is scanned as one (file_name).
  #scan(m) {
    const s = this.#settings;
    if (s.mode === 'off' || (m.kind !== 'text' && m.kind !== 'file') || !/[0-9０-９@＠]/.test(m.body)) return [];
    const kinds = s.kinds?.length ? new Set(s.kinds) : null;
    const known = this.#findings.get(m.id);
    if (known?.body === m.body) {
      return (known.list ?? []).map((f, index) => ({ ...f, index })).filter((f) => !kinds || kinds.has(f.kind));
    }
    this.#findings.set(m.id, { body: m.body, list: null });
    const id = this.#conversation();
    const inbox = this.#inbox();
    const ask = m.kind === 'file' ? { file_name: m.body } : { text: m.body };
    scans(() => (this.#conversation() === id ? inbox.request('POST', '/pii/scan', ask) : Promise.resolve({ findings: [] }))).then(({ findings }) => {
      const entry = this.#findings.get(m.id);
      if (entry?.body !== m.body) return;
      entry.list = findings;
      if (findings.length && this.#conversation() === id) this.#thread().update(this.#thread().message(m.id) ?? m, true);
    }).catch(() => this.#findings.delete(m.id));
    return [];
  }

  async #mask(m, body) {
    try {
      const msg = await this.#inbox().request('POST', `/conversations/${m.conversation_id}/messages/${m.id}/mask`, body);
      this.#thread().update(msg);
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  #buildDialog() {
    const dialog = h('dialog', { class: 'dialog form-dialog', dataset: { testid: 'unmask-dialog' }, 'aria-labelledby': 'unmask-title' });
    dialog.addEventListener('close', () => dialog.querySelector('form').reset());
    return dialog;
  }

  #openUnmask(m, k) {
    openUnmask(this.#dialog, 'unmask-title', k.kind, this.#settings, (role) => this.#may(role),
      (body) => this.#inbox().request('POST', `/conversations/${m.conversation_id}/messages/${m.id}/unmask`, { start: k.start, end: k.end, ...body }),
      (res, permanent) => {
        if (!permanent) {
          this.#revealed.set(m.id, [...(this.#revealed.get(m.id) ?? []), ...res.originals]);
          this.#thread().update(res.message, true);
        } else {
          this.#thread().update(res.message);
        }
      });
  }

  #buildWarning() {
    return h('dialog', { class: 'dialog form-dialog', dataset: { testid: 'pii-warning' }, 'aria-labelledby': 'pii-warning-title' });
  }

  // confirmSend resolves true when text may be sent: it holds nothing
  // that looks like a full registration or card number, or the agent
  // chose to send it anyway.
  async confirmSend(text) {
    if ((text.match(/[0-9０-９]/g) ?? []).length < 13) return true;
    let found;
    try {
      ({ findings: found } = await this.#inbox().request('POST', '/pii/scan', { text }));
    } catch {
      return true; // the send itself will say what is wrong
    }
    const risky = found.filter((f) => warnKinds.has(f.kind));
    if (risky.length === 0) return true;
    const kinds = [...new Set(risky.map((f) => t('pii.kind.' + f.kind)))].join(', ');
    return new Promise((resolve) => {
      const done = (ok) => {
        this.#warning.close();
        resolve(ok);
      };
      this.#warning.replaceChildren(h('form', { method: 'dialog' },
        h('h2', { id: 'pii-warning-title' }, t('pii.warning_title')),
        h('p', { class: 'help' }, t('pii.warning_help', { kinds })),
        h('div', { class: 'dialog-actions' },
          h('button', { type: 'button', class: 'secondary', dataset: { testid: 'pii-warning-cancel' }, onclick: () => done(false) }, t('pii.warning_edit')),
          h('button', { type: 'button', class: 'danger', dataset: { testid: 'pii-warning-send' }, onclick: () => done(true) }, t('pii.warning_send')))));
      this.#warning.addEventListener('cancel', () => resolve(false), { once: true });
      this.#warning.showModal();
      this.#warning.querySelector('[data-testid=pii-warning-cancel]').focus();
    });
  }
}
