// Internal notes and read receipts in the open conversation (§2.7): how a
// note is told from a reply — a "/note" or "/메모" prefix, or the
// composer's note switch — how it is drawn (set apart, its @mentions
// marked), and the "read" mark under the last reply the customer has read.
import { h } from '../shared/dom.js';
import { typedIn } from './hangul.js';
import { clockTime, exactTime, t } from './i18n.js';

// noteText is the note's text when a composer line starts with a note
// prefix (as the server's chat.NoteCommand reads it), else null.
export function noteText(text) {
  const m = /^\s*\/(note|메모)(?:\s+|$)/i.exec(text);
  return m ? text.slice(m[0].length) : null;
}

// renderNote draws an internal note: a dashed, tinted card on the agents'
// side, labelled as seen by the team only, with its mentions marked.
export function renderNote(m, status, error, inbox) {
  const date = m.created_at ? new Date(m.created_at) : null;
  const meta = status
    ? h('span', { class: 'meta', role: status === 'failed' ? 'alert' : null }, t('msg.' + status, { error }))
    : h('time', { class: 'meta', datetime: m.created_at, title: exactTime(date) }, clockTime(date));
  const mentioned = (m.mentions ?? []).map((id) => inbox?.members.get(id)?.name).filter(Boolean);
  const mine = Boolean(inbox) && (m.mentions ?? []).includes(inbox.agentId);
  return h('li', { class: mine ? 'msg agent note mentions-me' : 'msg agent note', dataset: { kind: 'note', internal: 'true', testid: 'note' } },
    h('span', { class: 'who' }, m.sender_name || t('msg.agent'), h('span', { class: 'internal-tag' }, t('note.label'))),
    h('p', { class: 'bubble' }, ...withMentions(m.body ?? '', mentioned)),
    meta);
}

// withMentions splits text into strings and marked "@name" spans.
function withMentions(text, names) {
  if (!names.length) return [text];
  const sorted = [...names].sort((a, b) => b.length - a.length);
  const out = [];
  let rest = text;
  for (;;) {
    let at = -1;
    let name = '';
    for (const n of sorted) {
      const i = rest.toLocaleLowerCase().indexOf('@' + n.toLocaleLowerCase());
      if (i >= 0 && (at < 0 || i < at)) [at, name] = [i, n];
    }
    if (at < 0) break;
    if (at > 0) out.push(rest.slice(0, at));
    out.push(h('mark', { class: 'mention', dataset: { testid: 'mention' } }, rest.slice(at, at + name.length + 1)));
    rest = rest.slice(at + name.length + 1);
  }
  if (rest) out.push(rest);
  return out;
}

// showReceipt puts "read" under the last reply (not a note) at or below
// readSeq, and takes it from anywhere else.
export function showReceipt(list, readSeq) {
  let last = null;
  for (const li of list.querySelectorAll('li[data-sender=agent][data-seq]:not([data-internal])')) {
    if (Number(li.dataset.seq) <= readSeq) last = li;
  }
  for (const old of list.querySelectorAll('.receipt')) {
    if (old.parentElement !== last) old.remove();
  }
  if (last && !last.querySelector('.receipt')) {
    // Beside the time (style.css): nothing moves.
    last.querySelector('.meta-line').prepend(h('span', { class: 'receipt', dataset: { testid: 'read-receipt' } }, t('receipt.read')));
  }
}

// bindMentions offers the workspace's agents after "@" in a note: the
// active members whose name starts with (or holds) what follows the "@".
// Up and Down choose, Enter, Tab or a click puts "@name " in place, Escape
// closes the list. Only while the composer writes a note (isNote()), and
// never while an input method composes. members() lists the members.
export function bindMentions(form, { members, isNote, agentId }) {
  const input = form.elements.body;
  const list = h('ul', { class: 'canned-list mention-list', id: 'mention-list', role: 'listbox', hidden: true, dataset: { testid: 'mention-list' } });
  form.append(list);
  let items = [];
  let active = 0;
  let dismissed = -1;

  const trigger = () => {
    if (!isNote() || input.selectionStart !== input.selectionEnd) return null;
    const before = input.value.slice(0, input.selectionStart);
    const at = before.lastIndexOf('@');
    if (at < 0 || (at > 0 && !/[\s(\[{"'.,]/.test(before[at - 1]))) return null;
    const query = before.slice(at + 1);
    if (query.length > 30 || query.includes('\n')) return null;
    return { start: at, end: before.length, query };
  };
  const close = () => {
    items = [];
    list.hidden = true;
    list.replaceChildren();
  };
  const highlight = () => {
    for (const [i, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(i === active));
    list.children[active]?.scrollIntoView({ block: 'nearest' });
  };
  const pick = (i) => {
    const m = items[i];
    const found = trigger();
    close();
    if (!m || !found) return;
    input.focus();
    input.setRangeText(`@${m.name} `, found.start, found.end, 'end');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const update = () => {
    const found = trigger();
    if (!found || found.start === dismissed) {
      if (!found) dismissed = -1;
      return close();
    }
    const q = found.query.toLocaleLowerCase();
    items = members()
      // As typed so far: "@김미", on the way to 김민, finds 김민지.
      .filter((m) => m.agent_id !== agentId() && typedIn(m.name.toLocaleLowerCase(), q))
      .sort((a, b) => Number(!a.name.toLocaleLowerCase().startsWith(q)) - Number(!b.name.toLocaleLowerCase().startsWith(q)) || a.name.localeCompare(b.name))
      .slice(0, 8);
    // A space after a name that matches nobody: the "@" was not a mention.
    if (!items.length) return close();
    active = 0;
    list.replaceChildren(...items.map((m, i) => h('li', {
      role: 'option', class: 'canned-option', dataset: { testid: 'mention-option', agentId: m.agent_id },
      onmousedown: (e) => e.preventDefault(),
      onclick: () => pick(i),
    }, h('span', { class: 'canned-title' }, '@' + m.name, h('small', { class: 'note' }, t('status.' + m.status))))));
    list.hidden = false;
    highlight();
  };
  input.addEventListener('input', update);
  input.addEventListener('blur', close);
  form.addEventListener('keydown', (e) => {
    if (e.target !== input || list.hidden || e.isComposing || e.keyCode === 229) return;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        active = (active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
        highlight();
        break;
      case 'Enter':
      case 'Tab':
        if (e.shiftKey) return;
        pick(active);
        break;
      case 'Escape':
        dismissed = trigger()?.start ?? -1;
        close();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }, true);
  return { close };
}
