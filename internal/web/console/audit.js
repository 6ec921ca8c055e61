// <sodam-audit> is the audit log (§13), for masters: every administrative
// action in the workspace, done or refused, with who, when, from which
// address and what changed, newest first. Filters by actor, action and
// period; "more" follows the server's cursor; the same filters export a
// CSV file. Entries are only read here: nothing edits or deletes them.
import { h } from '../shared/dom.js';
import { clockTime, dateFormat, exactTime, label, locale, t } from './i18n.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

// The actions the log records, grouped as the filter lists them
// (chat.Audit* constants).
export const auditActions = [
  'invitation.create', 'invitation.resend', 'invitation.revoke', 'invitation.accept',
  'member.role', 'member.active', 'member.capacity',
  'password.reset_link', 'password.change',
  'workspace.create', 'workspace.update', 'workspace.identity_secret', 'workspace.archive', 'owner.grant',
  'api_token.create', 'api_token.revoke', 'endpoint.create', 'endpoint.delete', 'endpoint.redeliver',
  'customer.block', 'customer.unblock', 'customer.id_change', 'customer.merge',
  'pii.mask', 'pii.view', 'pii.unmask',
  'tag.create', 'tag.rename', 'tag.delete', 'category.create', 'category.rename', 'category.delete',
  'canned.create', 'canned.update', 'canned.delete',
  'faq.article_create', 'faq.article_update', 'faq.article_delete',
  'faq.category_create', 'faq.category_update', 'faq.category_delete', 'faq.synonyms', 'faq.import',
  'faq.export', 'faq.image_upload', 'faq.image_delete',
  'history.export',
];

const markup = template(`
<h1 data-i18n="audit.heading"></h1>
<p class="help" data-i18n="audit.help"></p>
<form class="audit-filters" data-ref="filters" data-testid="audit-filters">
  <label>
    <span data-i18n="audit.actor"></span>
    <select name="actor" data-testid="audit-actor"></select>
  </label>
  <label>
    <span data-i18n="audit.action"></span>
    <select name="action" data-testid="audit-action"></select>
  </label>
  <label>
    <span data-i18n="audit.from"></span>
    <input type="date" name="from" data-testid="audit-from">
  </label>
  <label>
    <span data-i18n="audit.to"></span>
    <input type="date" name="to" data-testid="audit-to">
  </label>
  <div class="audit-buttons">
    <button type="button" class="secondary" data-ref="clear" data-i18n="audit.clear" data-testid="audit-clear"></button>
    <a class="secondary button-link" data-ref="csv" download data-testid="audit-csv">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 4v11M7 10l5 5 5-5M5 20h14"/></svg>
      <span data-i18n="audit.csv"></span>
    </a>
  </div>
</form>
<div class="table-wrap card audit-card">
  <table class="table audit-table" data-testid="audit-table">
    <thead>
      <tr>
        <th scope="col" data-i18n="audit.when"></th>
        <th scope="col" data-i18n="audit.who"></th>
        <th scope="col" data-i18n="audit.action"></th>
        <th scope="col" data-i18n="audit.target"></th>
        <th scope="col" data-i18n="audit.change"></th>
      </tr>
    </thead>
    <tbody data-ref="entries"></tbody>
  </table>
  <p class="list-empty" data-ref="empty" data-i18n="audit.empty" data-testid="audit-empty" hidden></p>
</div>
<p class="audit-more"><button type="button" class="secondary" data-ref="more" data-i18n="audit.more" data-testid="audit-more" hidden></button></p>`);

class Audit extends HTMLElement {
  #inbox = null;
  #entries = [];
  #cursor = '';
  #loading = 0; // counts loads: only the latest one's answer is shown

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    const form = this.#ref('filters');
    form.addEventListener('change', () => this.#load());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#load();
    });
    this.#ref('clear').addEventListener('click', () => {
      form.reset();
      this.#load();
    });
    this.#ref('more').addEventListener('click', () => this.#load(this.#cursor));
    locale.addEventListener('change', () => {
      this.#fillChoices();
      this.#render();
    });
  }

  #ref(name) {
    return this.querySelector(`[data-ref="${name}"]`);
  }

  attach(inbox) {
    this.#inbox = inbox;
    this.#entries = [];
    this.#cursor = '';
    this.#ref('filters').reset();
    this.#ref('entries').replaceChildren();
    inbox.addEventListener('members', () => this.#fillChoices());
  }

  show(inbox) {
    this.#inbox = inbox;
    this.#fillChoices();
    this.#load();
  }

  // #fillChoices lists the workspace's members as actors (deactivated ones
  // too: their past actions stay theirs) and the actions.
  #fillChoices() {
    if (!this.#inbox || !this.firstElementChild) return;
    const f = this.#ref('filters').elements;
    const actor = f.actor.value;
    const members = [...this.#inbox.members.values()].sort((a, b) => a.name.localeCompare(b.name, locale.lang));
    f.actor.replaceChildren(h('option', { value: '' }, t('audit.anyone')), ...members.map((m) => h('option', { value: m.agent_id }, m.name)));
    f.actor.value = members.some((m) => String(m.agent_id) === actor) ? actor : '';
    const action = f.action.value;
    f.action.replaceChildren(h('option', { value: '' }, t('audit.any_action')),
      ...auditActions.map((a) => h('option', { value: a }, actionText(a))));
    f.action.value = action;
  }

  // #query turns the filters into the API's. The period is sent as dates,
  // which the server reads as whole days in the workspace's time zone,
  // "to" included.
  #query() {
    const f = this.#ref('filters').elements;
    const q = new URLSearchParams();
    for (const name of ['actor', 'action', 'from', 'to']) {
      if (f[name].value) q.set(name, f[name].value);
    }
    return q;
  }

  async #load(cursor = '') {
    const inbox = this.#inbox;
    if (!inbox) return;
    const q = this.#query();
    this.#ref('csv').href = `/api/v1/workspaces/${inbox.workspaceId}/audit-log.csv${q.size ? '?' + q : ''}`;
    if (cursor) q.set('cursor', cursor);
    const n = ++this.#loading;
    this.#ref('more').disabled = true;
    this.dataset.state = 'loading';
    try {
      const page = await inbox.request('GET', `/audit-log?${q}`);
      if (n !== this.#loading) return;
      this.#entries = cursor ? [...this.#entries, ...(page.entries ?? [])] : page.entries ?? [];
      this.#cursor = page.next_cursor ?? '';
      this.#render();
    } catch (err) {
      if (n === this.#loading) toast(locale.errorText(err));
    } finally {
      if (n === this.#loading) {
        this.#ref('more').disabled = false;
        this.dataset.state = 'ready';
      }
    }
  }

  #render() {
    if (!this.firstElementChild) return;
    this.#ref('entries').replaceChildren(...this.#entries.map((e) => this.#row(e)));
    this.#ref('empty').hidden = this.#entries.length > 0;
    this.#ref('more').hidden = !this.#cursor;
  }

  #row(e) {
    const at = new Date(e.at);
    const changes = changeList(e.before, e.after, e.action);
    return h('tr', { dataset: { entryId: e.id, action: e.action, refused: e.refused ? 'true' : 'false', testid: 'audit-entry' } },
      h('td', { class: 'audit-when', dataset: { label: t('audit.when') } },
        h('time', { datetime: e.at, title: exactTime(at) }, dayText(at), ' ', clockTime(at))),
      h('td', { class: 'audit-who', dataset: { label: t('audit.who') } },
        h('span', { dataset: { field: 'actor' } }, actorText(e)),
        e.address && h('small', { class: 'note', dataset: { field: 'address' } }, e.address)),
      h('td', { class: 'audit-action', dataset: { label: t('audit.action') } },
        h('span', { dataset: { field: 'action' } }, actionText(e.action)),
        e.refused && h('span', { class: 'chip refused', title: label('error.', e.refused), dataset: { testid: 'audit-refused' } },
          t('audit.refused', { code: e.refused }))),
      h('td', { class: 'audit-target', dataset: { label: t('audit.target'), field: 'target' } }, e.target || '—'),
      h('td', { class: 'audit-change', dataset: changes ? { label: t('audit.change') } : {} }, changes));
  }
}

const dayText = (date) => dateFormat({ year: 'numeric', month: 'short', day: 'numeric' }).format(date);

// actorText names who acted: the system (start-up; the server stores it
// as "system") in the console's language.
const actorText = (e) => (!e.actor_id && (!e.actor_name || e.actor_name === 'system') ? t('audit.system') : e.actor_name);

// actionText names an action ("member.role" → "Role changed").
const actionText = (action) => label('audit_action.', action);

// changeList shows what an entry changed, field by field: "role: agent →
// manager". Settings are compared key by key, nested objects included, so
// only what differs is listed; a value only before or only after shows
// alone. The workspace's and members' common keys are named as the
// settings and team pages name them, the fields of everything else by
// their own names (fieldText), the key itself on hover.
export function changeList(before, after, action = '') {
  const named = /^(workspace|member)\./.test(action);
  const lines = [];
  diff(before, after, '', lines);
  if (!lines.length) return '';
  return h('ul', { class: 'changes', dataset: { testid: 'audit-changes' } }, lines.slice(0, 30).map(([key, from, to]) =>
    h('li', {},
      key && h('span', { class: 'change-key', title: key }, (named ? keyText(key) : fieldText(key)) + ': '),
      from !== undefined && h('del', { class: 'change-from', dataset: typed(named, key, from) }, value(named, key, from)),
      from !== undefined && to !== undefined && h('span', { class: 'change-arrow', 'aria-hidden': 'true' }, ' → '),
      to !== undefined && h('ins', { class: 'change-to', dataset: typed(named, key, to) }, value(named, key, to)))));
}

// typed marks a value as what people wrote (a name, a category's English
// name): shown as it is, in whatever language it was written.
const typed = (named, key, v) => (typeof v === 'string' && !isoTime.test(v) && !(named ? codeNames[key] : codeNames[key.split('.').at(-1)]) ? { userText: '' } : {});

// keyText names a changed setting ("settings.pii.mode" → "Personal
// information: mode"), else as any field (fieldText).
const keyText = (key) => (locale.has('audit_key.' + key) ? t('audit_key.' + key) : fieldText(key));

// fieldText names a changed field of anything else (an article's title,
// a token's scopes) by its whole path, else by its last part ("filter.q":
// the words searched for), or shows the key where the catalog has no name.
function fieldText(key) {
  for (const k of [key, key.split('.').at(-1)]) if (locale.has('audit_field.' + k)) return t('audit_field.' + k);
  return key;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function diff(a, b, path, lines) {
  if (isObject(a) || isObject(b)) {
    if (a !== undefined && b !== undefined && !(isObject(a) && isObject(b))) {
      lines.push([path, a, b]);
      return;
    }
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
    for (const k of keys) diff(a?.[k], b?.[k], path ? `${path}.${k}` : k, lines);
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  lines.push([path, a, b]);
}

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

// codeNames are the catalogs that name a field's codes (a role, a mode),
// by the field's key (a workspace's setting) or, for other entries, its
// last part; a code they do not know shows as it is.
const codeNames = {
  'settings.assignment_mode': 'mode.', 'settings.pii.mode': 'pii_settings.', 'settings.pii.kinds': 'pii.kind.',
  'settings.pii.view_role': 'role.', 'settings.pii.restore_role': 'role.',
  'settings.widget.position': 'settings.widget_', 'settings.widget.language': 'lang.',
  role: 'role.', channel: 'channel.', state: 'state.', scopes: 'scope.', kinds: 'pii.kind.',
};

function value(named, key, v) {
  const names = named ? codeNames[key] : codeNames[key.split('.').at(-1)];
  if (names && typeof v === 'string') v = label(names, v);
  if (names && Array.isArray(v)) v = v.map((x) => (typeof x === 'string' ? label(names, x) : x));
  if (v === null || v === '') return '—';
  if (typeof v === 'boolean') return t(v ? 'audit.yes' : 'audit.no');
  // A time (created_at and the like) in the workspace's zone, as the
  // entry's own.
  if (typeof v === 'string' && isoTime.test(v)) return h('time', { datetime: v }, exactTime(new Date(v)));
  if (typeof v === 'string') return v.length > 200 ? v.slice(0, 200) + '…' : v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.length ? v.join(', ') : '—';
  const text = JSON.stringify(v);
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
}

customElements.define('sodam-audit', Audit);
