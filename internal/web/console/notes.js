// Internal notes and read receipts in the open conversation (§2.7): how a
// note is told from a reply — a "/note" or "/메모" prefix, or the
// composer's note switch — how it is drawn (set apart, its @mentions
// marked), and the "read" mark under the last reply the customer has read.
import { h } from '../shared/dom.js';
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
    last.append(h('span', { class: 'receipt', dataset: { testid: 'read-receipt' } }, t('receipt.read')));
  }
}
