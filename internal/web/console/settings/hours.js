// <sodam-settings-hours> is when chats are taken: always, or by the week
// in a time zone, each weekday with an optional lunch break, minus
// holidays.
import { h } from '../../shared/dom.js';
import { locale, t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

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

class HoursCard extends SettingsCard {
  static markup = template(`
<form class="card" data-ref="hours" data-testid="hours-form">
  <h2 data-i18n="hours.heading"></h2>
  <p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
  <fieldset data-gated>
    <div class="group">
      <label class="check"><input type="checkbox" name="always_open" data-testid="hours-always-open"><span data-i18n="hours.always_open"></span></label>
      <small class="help" data-i18n="hours.always_open_help"></small>
    </div>
    <label>
      <span data-i18n="hours.timezone"></span>
      <input name="time_zone" list="time-zones" autocomplete="off" spellcheck="false" required class="medium" data-testid="hours-timezone">
      <small class="help" data-i18n="hours.timezone_help"></small>
    </label>
    <datalist id="time-zones" data-ref="timezones"></datalist>
    <div class="schedule" data-ref="schedule">
      <div class="table-wrap">
        <table class="table hours-table" data-testid="hours-days">
          <thead>
            <tr><th scope="col" data-i18n="hours.day"></th><th scope="col" data-i18n="hours.open"></th><th scope="col" data-i18n="hours.hours"></th><th scope="col" data-i18n="hours.lunch"></th></tr>
          </thead>
          <tbody data-ref="day-rows"></tbody>
        </table>
      </div>
      <small class="help" data-i18n="hours.time_help"></small>
      <h3 data-i18n="hours.holidays"></h3>
      <small class="help" data-i18n="hours.holidays_help"></small>
      <ul class="holidays" data-ref="holidays" data-testid="hours-holidays"></ul>
      <p class="help" data-ref="no-holidays" data-i18n="hours.no_holidays"></p>
      <div class="holiday-add">
        <input type="date" data-ref="holiday-date" data-i18n-attr="aria-label:hours.holiday_date" data-testid="hours-holiday-input">
        <button type="button" class="secondary" data-ref="holiday-add" data-i18n="hours.holiday_add" data-testid="hours-holiday-add"></button>
      </div>
    </div>
    <p class="form-error" role="alert" data-ref="hours-error" data-testid="hours-error"></p>
    <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="hours-save"></button>
  </fieldset>
</form>`);

  #holidays = [];

  build() {
    const form = this.ref('hours');
    this.onSubmit(form, () => this.#save());
    form.elements.always_open.addEventListener('change', () => this.#alwaysOpenChanged());
    this.ref('holiday-add').addEventListener('click', () => this.#addHoliday());
    this.ref('holiday-date').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.#addHoliday();
      }
    });
    this.ref('timezones').replaceChildren(...timeZones.map((z) => h('option', { value: z })));
    this.#buildDays();
  }

  relabel() {
    this.#labelDays();
    this.#renderHolidays();
  }

  fill(ws) {
    const b = ws.settings.business_hours;
    const f = this.ref('hours').elements;
    f.always_open.checked = b.always_open;
    f.time_zone.value = b.time_zone || 'Asia/Seoul';
    for (const tr of this.ref('day-rows').children) {
      const day = b.days?.[Number(tr.dataset.day)] ?? {};
      tr.querySelector('[data-field=open]').checked = Boolean(day.open);
      for (const field of ['start', 'end', 'lunch_start', 'lunch_end']) tr.querySelector(`[data-field=${field}]`).value = day[field] ?? '';
      this.#dayChanged(tr);
    }
    this.#holidays = [...(b.holidays ?? [])].sort();
    this.#renderHolidays();
    this.#alwaysOpenChanged();
  }

  #buildDays() {
    const time = (field) => h('input', {
      class: 'time', inputmode: 'numeric', maxlength: 5, pattern: timePattern, placeholder: 'HH:MM',
      autocomplete: 'off', dataset: { field },
    });
    this.ref('day-rows').replaceChildren(...week.map((d) => h('tr', { dataset: { day: d, testid: 'hours-day' } },
      h('th', { scope: 'row', class: 'weekday' }),
      h('td', {}, h('input', { type: 'checkbox', dataset: { field: 'open' }, onchange: (e) => this.#dayOpened(e.target.closest('tr')) })),
      h('td', { class: 'hours-cell' }, h('span', { class: 'range' }, time('start'), h('span', { 'aria-hidden': 'true' }, '–'), time('end'))),
      h('td', { class: 'lunch-cell' }, h('span', { class: 'range' }, time('lunch_start'), h('span', { 'aria-hidden': 'true' }, '–'), time('lunch_end')))),
    ));
    this.#labelDays();
  }

  #labelDays() {
    const name = new Intl.DateTimeFormat(locale.lang, { weekday: 'long', timeZone: 'UTC' });
    for (const tr of this.ref('day-rows').children) {
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

  // #dayOpened follows the open box's click: a day opened with no hours
  // (a closed day is saved without them) starts with 09:00–18:00.
  #dayOpened(tr) {
    const field = (f) => tr.querySelector(`[data-field=${f}]`);
    if (field('open').checked && !field('start').value && !field('end').value) {
      field('start').value = '09:00';
      field('end').value = '18:00';
    }
    this.#dayChanged(tr);
  }

  #dayChanged(tr) {
    const open = tr.querySelector('[data-field=open]').checked;
    tr.dataset.open = String(open);
    for (const input of tr.querySelectorAll('input.time')) {
      input.disabled = !open;
      input.required = open && (input.dataset.field === 'start' || input.dataset.field === 'end');
    }
  }

  #alwaysOpenChanged() {
    this.ref('schedule').classList.toggle('dim', this.ref('hours').elements.always_open.checked);
  }

  #renderHolidays() {
    const date = new Intl.DateTimeFormat(locale.lang, { dateStyle: 'full', timeZone: 'UTC' });
    this.ref('holidays').replaceChildren(...this.#holidays.map((d) => h('li', { dataset: { date: d, testid: 'holiday' } },
      h('time', { datetime: d }, date.format(new Date(d + 'T00:00:00Z'))),
      h('button', {
        type: 'button', class: 'icon small', title: t('hours.holiday_remove', { date: d }), 'aria-label': t('hours.holiday_remove', { date: d }),
        dataset: { testid: 'holiday-remove' },
        onclick: () => {
          this.#holidays = this.#holidays.filter((x) => x !== d);
          this.#renderHolidays();
        },
      }, '×'))));
    this.ref('no-holidays').hidden = this.#holidays.length > 0;
  }

  #addHoliday() {
    const input = this.ref('holiday-date');
    const d = input.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return;
    if (!this.#holidays.includes(d)) this.#holidays = [...this.#holidays, d].sort();
    input.value = '';
    this.#renderHolidays();
  }

  async #save() {
    const f = this.ref('hours').elements;
    const days = Array.from({ length: 7 }, () => ({}));
    for (const tr of this.ref('day-rows').children) {
      const value = (field) => tr.querySelector(`[data-field=${field}]`).value.trim();
      days[Number(tr.dataset.day)] = {
        open: tr.querySelector('[data-field=open]').checked,
        start: value('start'), end: value('end'), lunch_start: value('lunch_start'), lunch_end: value('lunch_end'),
      };
    }
    const hours = { always_open: f.always_open.checked, time_zone: f.time_zone.value.trim(), days, holidays: this.#holidays };
    await this.patch({ settings: { business_hours: hours } }, f.save, this.ref('hours-error'), (ws) => {
      this.fill(ws);
      toast(t('hours.saved'));
    });
  }
}

customElements.define('sodam-settings-hours', HoursCard);
