// <sodam-settings> is the settings page: the operation switch, the embed
// snippet to copy, the identity secret (masters), the widget's look,
// allowed origins and consent text, assignment and timers, the files
// visitors and agents may send, each agent's capacity, business hours and
// the blocked customers. Managers and masters may edit; agents only read.
import { h } from '../shared/dom.js';
import { exactTime, formError, label, locale, statusText, t } from './i18n.js';
import { toast } from './toast.js';
import './tools.js';

const defaultColor = '#1d6b58';

// Time zones offered in the time zone field; any IANA name is accepted.
const timeZones = [
  'Asia/Seoul', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Taipei', 'Asia/Hong_Kong', 'Asia/Singapore',
  'Asia/Ho_Chi_Minh', 'Asia/Bangkok', 'Asia/Jakarta', 'Asia/Manila', 'Asia/Kolkata', 'Asia/Dubai',
  'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'America/New_York', 'America/Chicago',
  'America/Denver', 'America/Los_Angeles', 'America/Sao_Paulo', 'Australia/Sydney', 'Pacific/Auckland', 'UTC',
];

// The week as a Korean desk reads it: Monday first. Values index the
// server's days array, which starts on Sunday (Go's time.Weekday).
const week = [1, 2, 3, 4, 5, 6, 0];

const timePattern = '([01][0-9]|2[0-3]):[0-5][0-9]|24:00';

// fileTable is the §3.4 table: every extension Sodam can check, by kind
// (web_test.go keeps it equal to chat.KnownExtensions). A workspace allows
// a subset of it.
const fileTable = {
  image: ['jpg', 'jpeg', 'gif', 'bmp', 'png'],
  video: ['m4v', 'avi', 'asf', 'wmv', 'mkv', 'mpg', 'mpeg', 'mp4', 'mov', 'flv', 'ogv', 'ts'],
  audio: ['mp3', 'wav', 'flac', 'tta', 'tak', 'aac', 'wma', 'ogg', 'm4a'],
  document: ['pdf', 'ods', 'csv', 'tsv', 'xls', 'xlsx', 'numbers', 'cell', 'odp', 'ppt', 'pptx', 'key', 'show',
    'doc', 'docx', 'hwp', 'txt', 'rtf', 'xml', 'wks', 'wps', 'xps', 'md', 'odf', 'odt', 'pages', 'gz', 'bz2',
    'rar', '7z', 'zip', 'lzh', 'alz', 'psd', 'ai', 'sketch', 'tif', 'tiff', 'tga', 'webp'],
};

class Settings extends HTMLElement {
  #inbox = null;
  #holidays = [];

  connectedCallback() {
    this.#ref('copy').addEventListener('click', () => this.#copy());
    this.#ref('reveal').addEventListener('click', () => this.#reveal());
    this.#ref('form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#save();
    });
    this.#ref('routing').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#saveRouting();
    });
    this.#ref('routing').elements.sticky.addEventListener('change', () => this.#stickyChanged());
    this.#ref('files').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#saveFiles();
    });
    this.#ref('hours').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#saveHours();
    });
    this.#ref('hours').elements.always_open.addEventListener('change', () => this.#alwaysOpenChanged());
    this.#ref('holiday-add').addEventListener('click', () => this.#addHoliday());
    this.#ref('holiday-date').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.#addHoliday();
      }
    });
    this.#ref('operation-switch').addEventListener('click', () => this.#askOperation());
    this.#ref('operation-yes').addEventListener('click', () => this.#toggleOperation());
    this.#ref('timezones').replaceChildren(...timeZones.map((z) => h('option', { value: z })));
    this.#buildDays();
    this.#buildFileKinds();
    locale.addEventListener('change', () => {
      this.#labelReveal();
      this.#labelDays();
      this.#labelFileKinds();
      this.#showOperation();
      this.#renderCapacities();
      this.#renderHolidays();
      if (this.#inbox?.seesAll) this.#loadBlocked();
    });
  }

  // attach follows inbox's workspace and agents; it is called again when
  // the agent switches workspace.
  attach(inbox) {
    this.#inbox = inbox;
    inbox.addEventListener('workspace', () => this.#showOperation());
    inbox.addEventListener('members', () => this.#renderCapacities());
  }

  // show loads the workspace's settings each time the page is opened.
  async show(inbox) {
    this.#inbox = inbox;
    const editable = inbox.seesAll;
    this.#ref('try').href = `/console/try?ws=${inbox.workspaceId}`;
    for (const fields of this.querySelectorAll('[data-gated]')) fields.disabled = !editable;
    for (const note of this.querySelectorAll('.readonly-note')) note.hidden = editable;
    for (const button of this.querySelectorAll('[data-gated] [type=submit]')) button.hidden = !editable;
    this.#ref('operation-switch').disabled = !editable;
    this.#ref('blocked-card').hidden = !editable;
    for (const el of this.querySelectorAll('.form-error')) el.replaceChildren();
    try {
      const [embed, workspace] = await Promise.all([
        inbox.request('GET', '/embed'),
        inbox.request('GET', ''),
        inbox.loadMembers(),
      ]);
      this.#ref('snippet').value = embed.snippet;
      this.#fill(workspace);
      inbox.setWorkspace(workspace);
    } catch (err) {
      toast(locale.errorText(err));
    }
    if (editable) this.#loadBlocked();
    for (const card of this.querySelectorAll('sodam-tag-settings, sodam-category-settings, sodam-canned-settings')) card.show(inbox);
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  #fill(ws) {
    const f = this.#ref('form').elements;
    f.name.value = ws.name;
    f.title.value = ws.title;
    f.color.value = /^#[0-9a-f]{6}$/i.test(ws.color) ? ws.color : defaultColor;
    f.allowed_origins.value = (ws.allowed_origins ?? []).join('\n');
    f.consent_text.value = ws.consent_text;
    this.#fillTexts(ws.settings);
    this.#ref('secret-box').hidden = !ws.identity_secret;
    this.#ref('secret').value = ws.identity_secret ?? '';
    this.#fillRouting(ws.settings);
    this.#fillFiles(ws.settings.attachments);
    this.#fillHours(ws.settings.business_hours);
  }

  async #save() {
    const f = this.#ref('form').elements;
    const patch = {
      name: f.name.value.trim(),
      title: f.title.value.trim(),
      color: f.color.value,
      allowed_origins: f.allowed_origins.value.split('\n').map((s) => s.trim()).filter(Boolean),
      consent_text: f.consent_text.value.trim(),
      settings: { greeting: f.greeting.value.trim(), rating_request: f.rating_request.value.trim() },
    };
    await this.#patch(patch, f.save, this.#ref('form-error'), (ws) => {
      f.name.value = ws.name;
      f.title.value = ws.title;
      f.allowed_origins.value = (ws.allowed_origins ?? []).join('\n');
      f.consent_text.value = ws.consent_text;
      this.#fillTexts(ws.settings);
      toast(t('settings.saved'));
    });
  }

  // #fillTexts shows the greeting and the rating request's wording; an
  // empty rating request means the widget's own words (the placeholder).
  #fillTexts(s) {
    const f = this.#ref('form').elements;
    f.greeting.value = s.greeting ?? '';
    f.rating_request.value = s.rating_request ?? '';
  }

  // #patch sends a workspace change and shows a refusal under the form it
  // came from, with the server's words as the detail.
  async #patch(patch, button, errorBox, done) {
    errorBox?.replaceChildren();
    if (button) button.disabled = true;
    try {
      const ws = await this.#inbox.request('PATCH', '', patch);
      this.#inbox.setWorkspace(ws);
      done(ws);
      return true;
    } catch (err) {
      if (errorBox) formError(errorBox, err);
      else toast(locale.errorText(err));
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  }

  // Operation stopped: a switch, asked for confirmation both ways.
  #showOperation() {
    const stopped = Boolean(this.#inbox?.settings.operation_stopped);
    const card = this.#ref('operation');
    card.dataset.state = stopped ? 'stopped' : 'running';
    this.#ref('operation-switch').setAttribute('aria-checked', String(stopped));
    this.#ref('operation-state').textContent = t(stopped ? 'operation.stopped' : 'operation.running');
    this.#ref('operation-help').textContent = t(stopped ? 'operation.help_stopped' : 'operation.help_running');
  }

  #askOperation() {
    const stopping = !this.#inbox.settings.operation_stopped;
    this.#ref('operation-question').textContent = t(stopping ? 'operation.confirm_stop' : 'operation.confirm_resume');
    const yes = this.#ref('operation-yes');
    yes.textContent = t(stopping ? 'operation.stop' : 'operation.resume');
    yes.className = stopping ? 'danger' : 'primary';
    yes.dataset.stop = String(stopping);
    this.#ref('operation-dialog').showPopover();
    this.#ref('operation-dialog').querySelector('.secondary').focus();
  }

  async #toggleOperation() {
    const stop = this.#ref('operation-yes').dataset.stop === 'true';
    this.#ref('operation-dialog').hidePopover();
    await this.#patch({ settings: { operation_stopped: stop } }, this.#ref('operation-switch'), null, () => {
      toast(t(stop ? 'operation.done_stop' : 'operation.done_resume'));
    });
  }

  // Assignment mode, capacity and timers.
  #fillRouting(s) {
    const f = this.#ref('routing').elements;
    f.assignment_mode.value = s.assignment_mode;
    f.default_capacity.value = s.default_capacity;
    f.sticky.checked = s.sticky;
    f.sticky_window_minutes.value = s.sticky_window_minutes;
    f.inactivity_timeout_minutes.value = s.inactivity_timeout_minutes;
    f.auto_offline_minutes.value = s.auto_offline_minutes;
    this.#stickyChanged();
    this.#renderCapacities();
  }

  #stickyChanged() {
    const f = this.#ref('routing').elements;
    f.sticky_window_minutes.closest('label').classList.toggle('dim', !f.sticky.checked);
  }

  async #saveRouting() {
    const f = this.#ref('routing').elements;
    const settings = {
      assignment_mode: f.assignment_mode.value,
      default_capacity: Number(f.default_capacity.value),
      sticky: f.sticky.checked,
      sticky_window_minutes: Number(f.sticky_window_minutes.value),
      inactivity_timeout_minutes: Number(f.inactivity_timeout_minutes.value),
      auto_offline_minutes: Number(f.auto_offline_minutes.value),
    };
    await this.#patch({ settings }, f.save, this.#ref('routing-error'), (ws) => {
      this.#fillRouting(ws.settings);
      toast(t('settings.saved'));
    });
  }

  // Files: the largest size, and a checkbox per extension of the table,
  // grouped by kind, with a switch for the whole kind.
  #buildFileKinds() {
    this.#ref('file-kinds').replaceChildren(...Object.entries(fileTable).map(([kind, exts]) =>
      h('fieldset', { class: 'file-kind', dataset: { kind } },
        h('legend', {},
          h('label', { class: 'check' },
            h('input', { type: 'checkbox', class: 'kind-all', dataset: { testid: 'settings-extension-kind', kind }, onchange: (e) => this.#toggleKind(kind, e.target.checked) }),
            h('span', { class: 'kind-name' }))),
        h('div', { class: 'extensions' }, exts.map((ext) => h('label', { class: 'check extension' },
          h('input', { type: 'checkbox', name: 'extension', value: ext, dataset: { testid: 'settings-extension', kind }, onchange: () => this.#kindChanged(kind) }),
          h('span', {}, '.' + ext)))))));
    this.#labelFileKinds();
  }

  #labelFileKinds() {
    for (const set of this.#ref('file-kinds').children) set.querySelector('.kind-name').textContent = t('file_kind.' + set.dataset.kind);
  }

  #extensionBoxes(kind) {
    return [...this.#ref('file-kinds').querySelectorAll(`input[name=extension][data-kind=${kind}]`)];
  }

  #toggleKind(kind, on) {
    for (const box of this.#extensionBoxes(kind)) box.checked = on;
    this.#kindChanged(kind);
  }

  // #kindChanged shows the kind's switch on, off, or mixed.
  #kindChanged(kind) {
    const boxes = this.#extensionBoxes(kind);
    const on = boxes.filter((b) => b.checked).length;
    const all = this.#ref('file-kinds').querySelector(`.kind-all[data-kind=${kind}]`);
    all.checked = on === boxes.length;
    all.indeterminate = on > 0 && on < boxes.length;
  }

  #fillFiles(a) {
    if (!a) return;
    this.#ref('files').elements.max_size_mb.value = a.max_size_mb;
    for (const kind of Object.keys(fileTable)) {
      const allowed = new Set(a.extensions?.[kind] ?? []);
      for (const box of this.#extensionBoxes(kind)) box.checked = allowed.has(box.value);
      this.#kindChanged(kind);
    }
  }

  async #saveFiles() {
    const f = this.#ref('files').elements;
    const extensions = Object.fromEntries(Object.keys(fileTable).map((kind) =>
      [kind, this.#extensionBoxes(kind).filter((b) => b.checked).map((b) => b.value)]));
    const attachments = { max_size_mb: Number(f.max_size_mb.value), extensions };
    await this.#patch({ settings: { attachments } }, f.save, this.#ref('files-error'), (ws) => {
      this.#fillFiles(ws.settings.attachments);
      toast(t('settings.saved'));
    });
  }

  // Capacity per agent: empty means the workspace default.
  #renderCapacities() {
    const inbox = this.#inbox;
    const body = this.#ref('capacity-rows');
    if (!inbox) return;
    const editable = inbox.seesAll;
    const fallback = inbox.settings.default_capacity ?? '';
    const members = [...inbox.members.values()].sort((a, b) => a.name.localeCompare(b.name, locale.lang));
    const rows = new Map([...body.children].map((tr) => [Number(tr.dataset.agentId), tr]));
    body.replaceChildren(...members.map((m) => {
      let tr = rows.get(m.agent_id);
      if (!tr) {
        tr = h('tr', { dataset: { agentId: m.agent_id, testid: 'capacity-row' } },
          h('th', { scope: 'row' }, h('span', { class: 'agent-name' }), h('small', { class: 'note' })),
          h('td', { dataset: { field: 'role' } }),
          h('td', { dataset: { field: 'status' } }),
          h('td', {}, h('input', {
            type: 'number', min: 0, max: 100, inputmode: 'numeric', class: 'capacity-input',
            dataset: { testid: 'capacity-input' },
            oninput: (e) => { e.target.dataset.dirty = 'true'; },
          })),
          h('td', {}, h('button', { type: 'button', class: 'secondary', dataset: { testid: 'capacity-save' } })));
        tr.querySelector('button').addEventListener('click', () => this.#saveCapacity(tr));
      }
      tr.querySelector('.agent-name').textContent = m.name;
      tr.querySelector('.note').textContent = m.email;
      tr.querySelector('[data-field=role]').textContent = label('role.', m.role);
      tr.querySelector('[data-field=status]').replaceChildren(
        h('span', { class: 'status-dot', dataset: { status: m.status }, 'aria-hidden': 'true' }), statusText(m.status));
      const input = tr.querySelector('input');
      input.disabled = !editable;
      input.placeholder = t('capacity.default', { n: fallback });
      input.setAttribute('aria-label', `${t('capacity.capacity')} · ${m.name}`);
      if (!input.dataset.dirty && document.activeElement !== input) input.value = m.capacity ?? '';
      const button = tr.querySelector('button');
      button.textContent = t('capacity.save');
      button.hidden = !editable;
      return tr;
    }));
  }

  async #saveCapacity(tr) {
    const id = Number(tr.dataset.agentId);
    const input = tr.querySelector('input');
    const button = tr.querySelector('button');
    if (!input.reportValidity()) return;
    const raw = input.value.trim();
    button.disabled = true;
    try {
      const m = await this.#inbox.request('PUT', `/agents/${id}/capacity`, { capacity: raw === '' ? null : Number(raw) });
      delete input.dataset.dirty;
      input.value = m.capacity ?? '';
      this.#inbox.setMember(m);
      toast(t('capacity.saved', { name: m.name }));
    } catch (err) {
      const detail = err.code === 'invalid_input' ? ` (${err.message})` : '';
      toast(locale.errorText(err) + detail);
    } finally {
      button.disabled = false;
    }
  }

  // Business hours: always open, the zone, each weekday with an optional
  // lunch break, and holidays.
  #buildDays() {
    const time = (field) => h('input', {
      class: 'time', inputmode: 'numeric', maxlength: 5, pattern: timePattern, placeholder: 'HH:MM',
      autocomplete: 'off', dataset: { field },
    });
    this.#ref('day-rows').replaceChildren(...week.map((d) => h('tr', { dataset: { day: d, testid: 'hours-day' } },
      h('th', { scope: 'row', class: 'weekday' }),
      h('td', {}, h('input', { type: 'checkbox', dataset: { field: 'open' }, onchange: (e) => this.#dayChanged(e.target.closest('tr')) })),
      h('td', { class: 'hours-cell' }, h('span', { class: 'range' }, time('start'), h('span', { 'aria-hidden': 'true' }, '–'), time('end'))),
      h('td', { class: 'lunch-cell' }, h('span', { class: 'range' }, time('lunch_start'), h('span', { 'aria-hidden': 'true' }, '–'), time('lunch_end')))),
    ));
    this.#labelDays();
  }

  #labelDays() {
    const name = new Intl.DateTimeFormat(locale.lang, { weekday: 'long', timeZone: 'UTC' });
    for (const tr of this.#ref('day-rows').children) {
      // 2026-01-04 was a Sunday.
      const day = name.format(new Date(Date.UTC(2026, 0, 4 + Number(tr.dataset.day))));
      tr.querySelector('.weekday').textContent = day;
      // On a phone the table's head is hidden and each cell names itself.
      tr.querySelector('.hours-cell').dataset.label = t('hours.hours');
      tr.querySelector('.lunch-cell').dataset.label = t('hours.lunch');
      const field = (f) => tr.querySelector(`[data-field=${f}]`);
      field('open').setAttribute('aria-label', `${day} ${t('hours.open')}`);
      for (const f of ['start', 'end', 'lunch_start', 'lunch_end']) field(f).setAttribute('aria-label', `${day} ${t('hours.' + f)}`);
    }
  }

  #dayChanged(tr) {
    const open = tr.querySelector('[data-field=open]').checked;
    tr.dataset.open = String(open);
    for (const input of tr.querySelectorAll('input.time')) {
      input.disabled = !open;
      input.required = open && (input.dataset.field === 'start' || input.dataset.field === 'end');
    }
  }

  #fillHours(b) {
    const f = this.#ref('hours').elements;
    f.always_open.checked = b.always_open;
    f.time_zone.value = b.time_zone || 'Asia/Seoul';
    for (const tr of this.#ref('day-rows').children) {
      const day = b.days?.[Number(tr.dataset.day)] ?? {};
      tr.querySelector('[data-field=open]').checked = Boolean(day.open);
      for (const field of ['start', 'end', 'lunch_start', 'lunch_end']) tr.querySelector(`[data-field=${field}]`).value = day[field] ?? '';
      this.#dayChanged(tr);
    }
    this.#holidays = [...(b.holidays ?? [])].sort();
    this.#renderHolidays();
    this.#alwaysOpenChanged();
  }

  #alwaysOpenChanged() {
    this.#ref('schedule').classList.toggle('dim', this.#ref('hours').elements.always_open.checked);
  }

  #renderHolidays() {
    const date = new Intl.DateTimeFormat(locale.lang, { dateStyle: 'full', timeZone: 'UTC' });
    this.#ref('holidays').replaceChildren(...this.#holidays.map((d) => h('li', { dataset: { date: d, testid: 'holiday' } },
      h('time', { datetime: d }, date.format(new Date(d + 'T00:00:00Z'))),
      h('button', {
        type: 'button', class: 'icon small', title: t('hours.holiday_remove', { date: d }), 'aria-label': t('hours.holiday_remove', { date: d }),
        dataset: { testid: 'holiday-remove' },
        onclick: () => {
          this.#holidays = this.#holidays.filter((x) => x !== d);
          this.#renderHolidays();
        },
      }, '×'))));
    this.#ref('no-holidays').hidden = this.#holidays.length > 0;
  }

  #addHoliday() {
    const input = this.#ref('holiday-date');
    const d = input.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return;
    if (!this.#holidays.includes(d)) this.#holidays = [...this.#holidays, d].sort();
    input.value = '';
    this.#renderHolidays();
  }

  async #saveHours() {
    const f = this.#ref('hours').elements;
    const days = Array.from({ length: 7 }, () => ({}));
    for (const tr of this.#ref('day-rows').children) {
      const value = (field) => tr.querySelector(`[data-field=${field}]`).value.trim();
      days[Number(tr.dataset.day)] = {
        open: tr.querySelector('[data-field=open]').checked,
        start: value('start'), end: value('end'), lunch_start: value('lunch_start'), lunch_end: value('lunch_end'),
      };
    }
    const hours = { always_open: f.always_open.checked, time_zone: f.time_zone.value.trim(), days, holidays: this.#holidays };
    await this.#patch({ settings: { business_hours: hours } }, f.save, this.#ref('hours-error'), (ws) => {
      this.#fillHours(ws.settings.business_hours);
      toast(t('hours.saved'));
    });
  }

  // Blocked customers, latest first, each with "unblock".
  async #loadBlocked() {
    let customers;
    try {
      customers = await this.#inbox.request('GET', '/blocked');
    } catch (err) {
      toast(locale.errorText(err));
      return;
    }
    this.#ref('blocked').replaceChildren(...customers.map((cu) => {
      const name = cu.name || cu.customer_id;
      return h('li', { dataset: { customerId: cu.id, testid: 'blocked-customer' } },
        h('div', { class: 'blocked-who' },
          h('strong', {}, name),
          cu.name && h('small', { class: 'note' }, cu.customer_id)),
        h('div', { class: 'blocked-why' },
          h('span', { class: 'chip' }, label('block_reason.', cu.block_reason)),
          cu.block_note && h('span', { class: 'blocked-note' }, cu.block_note),
          cu.blocked_at && h('small', { class: 'note' }, t('blocked.since', { time: exactTime(new Date(cu.blocked_at)) }))),
        h('button', {
          type: 'button', class: 'secondary', dataset: { testid: 'unblock-button' },
          onclick: (e) => this.#unblock(cu, e.target),
        }, t('blocked.unblock')));
    }));
    this.#ref('blocked-empty').hidden = customers.length > 0;
  }

  async #unblock(cu, button) {
    button.disabled = true;
    try {
      await this.#inbox.request('DELETE', `/blocked/${cu.id}`);
      toast(t('blocked.unblocked', { name: cu.name || cu.customer_id }));
      if (this.#inbox.customer?.id === cu.id) this.#inbox.reloadOpen().catch(() => {});
      await this.#loadBlocked();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }

  // #copy uses the Clipboard API where the page is a secure context, and
  // falls back to selecting the text for pages served over plain HTTP.
  async #copy() {
    const box = this.#ref('snippet');
    try {
      await navigator.clipboard.writeText(box.value);
    } catch {
      box.select();
      document.execCommand('copy');
    }
    toast(t('settings.copied'));
  }

  #reveal() {
    const secret = this.#ref('secret');
    secret.type = secret.type === 'password' ? 'text' : 'password';
    this.#labelReveal();
  }

  #labelReveal() {
    this.#ref('reveal').textContent = t(this.#ref('secret').type === 'password' ? 'settings.show' : 'settings.hide');
  }
}

customElements.define('sodam-settings', Settings);
