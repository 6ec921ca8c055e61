// <sodam-stats> is the Statistics page (§12; docs/statistics.md): today so
// far, live, then any range of days up to three months ending yesterday,
// by day or by week, for the workspace or split by agent, channel or
// category, with the change against the period before. Charts (uPlot,
// vendored under vendor/uplot) each have a table under them with the same
// numbers; the table can be exported as CSV or XLSX. Managers and masters
// see everyone; an agent sees their own figures.
import { h } from '../shared/dom.js';
import { channels, locale, numberFormat, t } from './i18n.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';
import uPlot from './vendor/uplot/uPlot.esm.js';

const markup = template(`
<h1 data-i18n="stats.heading"></h1>
<p class="help"><span data-ref="scope"></span> <span data-ref="zone" data-testid="stats-zone"></span></p>
<section class="stats-today card" aria-labelledby="stats-today-title" data-testid="stats-today">
  <h2 id="stats-today-title"><span data-i18n="stats.today"></span> <span class="live-dot" aria-hidden="true"></span><small data-i18n="stats.live"></small></h2>
  <dl class="stats-tiles" data-ref="today"></dl>
</section>
<form class="stats-filters" data-ref="filters" data-testid="stats-filters">
  <label>
    <span data-i18n="stats.period"></span>
    <select name="preset" data-testid="stats-preset">
      <option value="7" data-i18n="stats.last7"></option>
      <option value="1" data-i18n="stats.yesterday"></option>
      <option value="28" data-i18n="stats.last28"></option>
      <option value="90" data-i18n="stats.last90"></option>
      <option value="custom" data-i18n="stats.custom"></option>
    </select>
  </label>
  <label><span data-i18n="stats.from"></span><input type="date" name="from" data-testid="stats-from"></label>
  <label><span data-i18n="stats.to"></span><input type="date" name="to" data-testid="stats-to"></label>
  <label>
    <span data-i18n="stats.bucket"></span>
    <select name="bucket" data-testid="stats-bucket">
      <option value="day" data-i18n="stats.by_day"></option>
      <option value="week" data-i18n="stats.by_week"></option>
    </select>
  </label>
  <label>
    <span data-i18n="stats.group"></span>
    <select name="group" data-testid="stats-group">
      <option value="none" data-i18n="stats.group_none"></option>
      <option value="agent" data-i18n="stats.group_agent"></option>
      <option value="channel" data-i18n="stats.group_channel"></option>
      <option value="category" data-i18n="stats.group_category"></option>
    </select>
  </label>
  <label data-ref="agent-filter"><span data-i18n="stats.agent"></span><select name="agent_id" data-testid="stats-agent"></select></label>
  <label><span data-i18n="stats.channel"></span><select name="channel" data-testid="stats-channel"></select></label>
  <label><span data-i18n="stats.category"></span><select name="category_id" data-testid="stats-category"></select></label>
  <div class="stats-buttons">
    <a class="secondary button-link" data-ref="csv" download data-testid="stats-csv"><span data-i18n="stats.csv"></span></a>
    <a class="secondary button-link" data-ref="xlsx" download data-testid="stats-xlsx"><span data-i18n="stats.xlsx"></span></a>
  </div>
</form>
<p class="form-error" data-ref="error" role="alert" data-testid="stats-error" hidden></p>
<section class="stats-summary" aria-labelledby="stats-summary-title">
  <h2 id="stats-summary-title" class="sr-only" data-i18n="stats.summary"></h2>
  <dl class="stats-tiles" data-ref="summary" data-testid="stats-summary"></dl>
</section>
<section class="card stats-chart-card">
  <h2 data-i18n="stats.trend"></h2>
  <div class="stats-chart" data-ref="trend" data-testid="stats-chart-trend" role="img" data-i18n-attr="aria-label:stats.trend_label"></div>
  <div class="table-wrap">
    <table class="table stats-table" data-testid="stats-table">
      <caption class="sr-only" data-i18n="stats.table_caption"></caption>
      <thead data-ref="head"></thead>
      <tbody data-ref="rows"></tbody>
      <tfoot data-ref="foot"></tfoot>
    </table>
  </div>
</section>
<div class="stats-pair">
  <section class="card stats-chart-card">
    <h2 data-i18n="stats.times"></h2>
    <p class="help" data-ref="times-note" data-i18n="stats.times_all" data-testid="stats-times-note" hidden></p>
    <div class="stats-chart" data-ref="times" data-testid="stats-chart-times" role="img" data-i18n-attr="aria-label:stats.times_label"></div>
    <div class="table-wrap"><table class="table stats-small" data-testid="stats-times-table"><tbody data-ref="times-rows"></tbody></table></div>
  </section>
  <section class="card stats-chart-card">
    <h2 data-i18n="stats.ratings"></h2>
    <div class="stats-chart" data-ref="ratings" data-testid="stats-chart-ratings" role="img" data-i18n-attr="aria-label:stats.ratings_label"></div>
    <div class="table-wrap"><table class="table stats-small" data-testid="stats-ratings-table"><tbody data-ref="ratings-rows"></tbody></table></div>
  </section>
</div>`);

// The measures of a bucket the page shows, in table order. better says
// which way is good, for the colour and words of a change.
const measures = [
  { key: 'inflow', kind: 'count', better: 0 },
  { key: 'completed', kind: 'count', better: 1 },
  { key: 'same_day_rate', kind: 'rate', better: 1 },
  { key: 'unprocessed', kind: 'count', better: -1 },
  { key: 'robot_resolved', kind: 'count', better: 1 },
  { key: 'transfers', kind: 'count', better: -1 },
  { key: 'frt_avg_s', kind: 'time', better: -1 },
  { key: 'frt_p90_s', kind: 'time', better: -1 },
  { key: 'duration_avg_s', kind: 'time', better: 0 },
  { key: 'queue_avg_s', kind: 'time', better: -1 },
  { key: 'rating_avg', kind: 'score', better: 1 },
  { key: 'rating_rate', kind: 'rate', better: 1 },
];
const todayKeys = ['inflow', 'completed', 'unprocessed', 'frt_avg_s', 'queue_avg_s', 'rating_avg'];
const summaryKeys = ['inflow', 'completed', 'same_day_rate', 'unprocessed', 'frt_avg_s', 'rating_avg'];

// duration writes seconds as "1분 5초", "2시간 3분".
export function duration(s) {
  if (s == null) return '—';
  const sec = Math.round(s);
  if (sec < 60) return t('stats.dur_s', { s: sec });
  if (sec < 3600) return t('stats.dur_m', { m: Math.floor(sec / 60), s: sec % 60 });
  return t('stats.dur_h', { h: Math.floor(sec / 3600), m: Math.floor((sec % 3600) / 60) });
}

// overDay: the 90th percentile of first responses past the histogram's
// last bound, which the API gives as 172800 (docs/statistics.md): "over a
// day", however much over, not 48 hours.
const overDay = (m, v) => m.key === 'frt_p90_s' && v > 86400;

// value writes one measure for people.
function value(m, v) {
  if (v == null) return '—';
  if (overDay(m, v)) return t('stats.over_day');
  switch (m.kind) {
    case 'rate': return numberFormat({ style: 'percent', maximumFractionDigits: 1 }).format(v);
    case 'time': return duration(v);
    case 'score': return numberFormat({ minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
    default: return numberFormat().format(v);
  }
}

// change compares a figure with the one before it: an arrow, a sign and
// words say which way it went (and whether that is good), the colour only
// repeats it. Counts change by a percentage, rates by points and times by
// a time ("+2분 0초"), as the change against the previous 7 days is read.
export function change(m, now, before) {
  if (now == null || before == null || overDay(m, now) || overDay(m, before)) return h('span', { class: 'delta', dataset: { dir: 'none' } }, '—');
  const diff = now - before;
  let text;
  if (m.kind === 'rate') text = `${diff >= 0 ? '+' : '−'}${Math.abs(diff * 100).toFixed(1)}%p`;
  else if (before === 0 || m.kind === 'time') text = diff === 0 ? '0' : `${diff > 0 ? '+' : '−'}${value(m, Math.abs(diff))}`;
  else text = `${diff >= 0 ? '+' : '−'}${Math.abs((diff / before) * 100).toFixed(1)}%`;
  const dir = diff > 0 ? 'up' : diff < 0 ? 'down' : 'flat';
  const verdict = diff === 0 || m.better === 0 ? 'neutral' : Math.sign(diff) === m.better ? 'good' : 'bad';
  const arrow = { up: '▲', down: '▼', flat: '■' }[dir];
  return h('span', { class: 'delta', dataset: { dir, verdict, testid: 'stats-delta' }, title: t(`stats.change_${dir}`) },
    h('span', { 'aria-hidden': 'true' }, `${arrow} ${text}`),
    h('span', { class: 'sr-only' }, t(`stats.change_${dir}`), ' ', text, verdict === 'neutral' ? '' : ` (${t('stats.verdict_' + verdict)})`));
}

// addDays moves a YYYY-MM-DD date by n days (calendar arithmetic in UTC,
// which has no daylight saving).
export function addDays(date, n) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

class Stats extends HTMLElement {
  #inbox = null;
  #yesterday = '';
  #result = null;
  #asked = null; // the query #result answers, for the export links
  #today = null;
  #categories = [];
  #charts = [];
  #loading = 0;
  #live = 0; // the refresh timer of today's figures
  #onChange = () => this.#soon();

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    const form = this.#ref('filters');
    form.addEventListener('change', (e) => {
      if (e.target.name === 'preset') this.#applyPreset();
      else if (e.target.name === 'from' || e.target.name === 'to') form.elements.preset.value = 'custom';
      this.#load();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#load();
    });
    locale.addEventListener('change', () => this.#render());
    new ResizeObserver(() => this.#resizeCharts()).observe(this);
  }

  #ref(name) {
    return this.querySelector(`[data-ref="${name}"]`);
  }

  attach(inbox) {
    this.#inbox?.removeEventListener('change', this.#onChange);
    this.#inbox = inbox;
    this.#result = null;
    this.#today = null;
    this.#yesterday = '';
    if (this.firstElementChild) this.#ref('filters').reset();
    inbox.addEventListener('change', this.#onChange);
  }

  async show(inbox) {
    if (inbox !== this.#inbox) this.attach(inbox);
    this.#fillChoices();
    try {
      this.#categories = await inbox.request('GET', '/categories');
    } catch {
      this.#categories = [];
    }
    this.#fillChoices();
    await this.#load();
    this.#loadToday();
    clearInterval(this.#live);
    // Today's figures follow the console's events; the timer catches what
    // no event here shows (another agent's chats, for an agent).
    this.#live = setInterval(() => {
      if (this.isConnected && document.documentElement.contains(this) && this.offsetParent) this.#loadToday();
      else clearInterval(this.#live);
    }, 30000);
  }

  // #soon refreshes today's figures shortly after the console saw a change.
  #soon() {
    if (!this.offsetParent || this.dataset.pending) return;
    this.dataset.pending = 'true';
    setTimeout(() => {
      delete this.dataset.pending;
      this.#loadToday();
    }, 800);
  }

  #fillChoices() {
    if (!this.#inbox || !this.firstElementChild) return;
    const f = this.#ref('filters').elements;
    const seesAll = this.#inbox.seesAll;
    this.#ref('agent-filter').hidden = !seesAll;
    f.group.querySelector('[value=agent]').hidden = !seesAll;
    const keep = (select, options) => {
      const v = select.value;
      select.replaceChildren(...options);
      select.value = [...select.options].some((o) => o.value === v) ? v : '';
    };
    const members = [...this.#inbox.members.values()].sort((a, b) => a.name.localeCompare(b.name, locale.lang));
    keep(f.agent_id, [h('option', { value: '' }, t('stats.everyone')), ...members.map((m) => h('option', { value: m.agent_id }, m.name))]);
    keep(f.channel, [h('option', { value: '' }, t('stats.all_channels')), ...channels.map((c) => h('option', { value: c }, this.#channelName(c)))]);
    keep(f.category_id, [h('option', { value: '' }, t('stats.all_categories')),
      ...this.#categories.map((c) => h('option', { value: c.id }, '\u00a0\u00a0'.repeat(c.depth ?? 0) + c.name))]);
  }

  #channelName(c) {
    return locale.has('stats.channel_' + c) ? t('stats.channel_' + c) : c;
  }

  #applyPreset() {
    const f = this.#ref('filters').elements;
    const n = Number(f.preset.value);
    if (!n || !this.#yesterday) return;
    f.to.value = this.#yesterday;
    f.from.value = addDays(this.#yesterday, 1 - n);
    if (n >= 28 && f.bucket.value === 'day' && n > 31) f.bucket.value = 'week';
  }

  #filters() {
    const f = this.#ref('filters').elements;
    const q = new URLSearchParams();
    for (const name of ['group', 'agent_id', 'channel', 'category_id']) {
      if (f[name].value && !(name === 'group' && f[name].value === 'none')) q.set(name, f[name].value);
    }
    return q;
  }

  #query() {
    const f = this.#ref('filters').elements;
    const q = this.#filters();
    if (f.from.value) q.set('from', f.from.value);
    if (f.to.value) q.set('to', f.to.value);
    if (f.bucket.value !== 'day') q.set('bucket', f.bucket.value);
    return q;
  }

  async #load() {
    const inbox = this.#inbox;
    if (!inbox) return;
    const q = this.#query();
    const n = ++this.#loading;
    this.dataset.state = 'loading';
    const error = this.#ref('error');
    try {
      const res = await inbox.request('GET', `/stats?${q}`);
      if (n !== this.#loading) return;
      error.hidden = true;
      this.#result = res;
      if (!this.#yesterday && !q.has('to')) this.#yesterday = res.to;
      const f = this.#ref('filters').elements;
      f.from.value = res.from;
      f.to.value = res.to;
      if (this.#yesterday) f.to.max = f.from.max = this.#yesterday;
      // The exports are of the days shown, named: the first view asks
      // for the default week, which is another once the workspace's
      // midnight has passed with the page open.
      this.#asked = new URLSearchParams(q);
      this.#asked.set('from', res.from);
      this.#asked.set('to', res.to);
      this.#render();
    } catch (err) {
      if (n !== this.#loading) return;
      error.hidden = false;
      error.textContent = locale.errorText(err) + (err?.message && err.code === 'invalid_input' ? ` (${err.message})` : '');
    } finally {
      if (n === this.#loading) this.dataset.state = 'ready';
    }
  }

  async #loadToday() {
    if (!this.#inbox) return;
    try {
      const q = this.#filters();
      q.delete('group');
      this.#today = await this.#inbox.request('GET', `/stats/today?${q}`);
      this.#renderToday();
      this.#follow(this.#today.buckets?.[0]?.start);
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  // #follow moves "yesterday" on when the workspace's day has changed with
  // the page open (its midnight passed, or its time zone changed), as
  // today's figures say: the latest day a range may end on, and a chosen
  // preset's days, which end on the new yesterday (a range of one's own
  // keeps its days). Without it the console left open overnight showed
  // "the last 7 days" ending the day before yesterday.
  #follow(today) {
    if (!today || !this.#yesterday) return;
    const yesterday = addDays(today, -1);
    if (yesterday === this.#yesterday) return;
    const was = this.#yesterday;
    this.#yesterday = yesterday;
    const f = this.#ref('filters').elements;
    f.to.max = f.from.max = yesterday;
    if (f.preset.value !== 'custom' && f.to.value === was) {
      this.#applyPreset();
      this.#load();
    }
  }

  #groupName(key) {
    const group = this.#result?.group;
    if (key == null) return '';
    if (group === 'agent') return key === '0' ? t('stats.no_agent') : this.#inbox.members.get(Number(key))?.name ?? `#${key}`;
    if (group === 'channel') return this.#channelName(key);
    // Categories by path, deleted ones too, as the export names them.
    if (group === 'category') return key === '0' ? t('stats.no_category') : this.#result.group_names?.[key] ?? `#${key}`;
    return key;
  }

  #periodText(b) {
    const res = this.#result;
    if (res.bucket === 'week' && b.days < 7) return `${b.start} – ${addDays(b.start, b.days - 1)} ${t('stats.partial_week', { n: b.days })}`;
    if (res.bucket === 'week' || b.days > 1) return `${b.start} – ${addDays(b.start, b.days - 1)}`;
    return b.start;
  }

  // #weekChange is a week's change in a measure against the week before
  // it; none for the first, or against a shorter (the oldest) week.
  #weekChange(key, list, i) {
    const m = measures.find((x) => x.key === key);
    if (i === 0 || list[i - 1].days !== list[i].days) return h('span', { class: 'delta', dataset: { dir: 'none' } }, '—');
    return change(m, list[i][key], list[i - 1][key]);
  }

  #render() {
    if (!this.firstElementChild || !this.#result) return;
    const res = this.#result;
    const seesAll = this.#inbox.seesAll;
    this.#ref('scope').textContent = seesAll ? t('stats.help') : t('stats.help_own');
    this.#ref('zone').textContent = t('stats.zone', { zone: res.timezone });
    // The exports are the table in the console's language.
    const base = `/api/v1/workspaces/${this.#inbox.workspaceId}/stats/export?`;
    for (const format of ['csv', 'xlsx']) this.#ref(format).href = base + new URLSearchParams([...this.#asked, ['format', format], ['lang', locale.lang]]);
    this.#renderToday();
    this.#ref('summary').replaceChildren(...summaryKeys.map((key) => {
      const m = measures.find((x) => x.key === key);
      return h('div', { class: 'tile', dataset: { measure: key } },
        h('dt', {}, t('stats.m_' + key)),
        h('dd', {}, h('strong', { dataset: { testid: 'stats-summary-value', measure: key } }, value(m, res.total?.[key])), ' ',
          change(m, res.total?.[key], res.previous?.[key])));
    }));
    this.#renderTable();
    this.#renderCharts();
  }

  #renderToday() {
    if (!this.firstElementChild || !this.#today) return;
    const b = this.#today.buckets?.[0] ?? {};
    this.#ref('today').replaceChildren(...todayKeys.map((key) => {
      const m = measures.find((x) => x.key === key);
      return h('div', { class: 'tile', dataset: { measure: key } },
        h('dt', {}, t('stats.m_' + key)), h('dd', { dataset: { testid: 'stats-today-value', measure: key } }, value(m, b[key])));
    }));
  }

  #renderTable() {
    const res = this.#result;
    const grouped = res.group !== 'none';
    const weekly = res.bucket === 'week' && !grouped;
    this.#ref('head').replaceChildren(h('tr', {},
      h('th', { scope: 'col' }, t('stats.period')),
      grouped && h('th', { scope: 'col' }, t('stats.group_' + res.group)),
      measures.map((m) => h('th', { scope: 'col', dataset: { measure: m.key } }, t('stats.m_' + m.key))),
      weekly && ['inflow', 'completed'].map((k) => h('th', { scope: 'col' }, t('stats.change_' + k)))));
    this.#ref('rows').replaceChildren(...res.buckets.map((b, i) => h('tr', { dataset: { testid: 'stats-row', start: b.start, days: b.days, group: b.group_key ?? '' } },
      h('th', { scope: 'row' }, this.#periodText(b)),
      grouped && h('td', { dataset: { field: 'group' } }, this.#groupName(b.group_key)),
      measures.map((m) => h('td', { dataset: { measure: m.key } }, value(m, b[m.key]))),
      weekly && ['inflow', 'completed'].map((k) => h('td', { dataset: { change: k } }, this.#weekChange(k, res.buckets, i))))));
    const foot = [];
    for (const [label, b] of [[t('stats.total'), res.total], [t('stats.previous'), res.previous]]) {
      if (!b) continue;
      foot.push(h('tr', { dataset: { testid: label === t('stats.total') ? 'stats-total' : 'stats-previous' } },
        h('th', { scope: 'row' }, label, h('small', {}, ` ${b.start} – ${addDays(b.start, b.days - 1)}`)),
        grouped && h('td', {}),
        measures.map((m) => h('td', { dataset: { measure: m.key } }, value(m, b[m.key]))),
        weekly && [h('td', {}), h('td', {})]));
    }
    this.#ref('foot').replaceChildren(...foot);
    this.#ref('times-note').hidden = !grouped;
    // Weekly, the average first response and conversation times change
    // against the week before by a time.
    const byWeek = res.bucket === 'week';
    const series = this.#series();
    const periods = series.map((s) => s.bucket);
    this.#ref('times-rows').replaceChildren(
      h('tr', {}, h('th', { scope: 'col' }, t('stats.period')), ['frt_avg_s', 'frt_p90_s', 'queue_avg_s', 'duration_avg_s'].map((k) => h('th', { scope: 'col' }, t('stats.m_' + k))),
        byWeek && ['frt_avg_s', 'duration_avg_s'].map((k) => h('th', { scope: 'col' }, t('stats.change_' + k)))),
      ...series.map((s, i) => h('tr', { dataset: { testid: 'stats-times-row', start: s.bucket.start } }, h('th', { scope: 'row' }, s.label),
        ['frt_avg_s', 'frt_p90_s', 'queue_avg_s', 'duration_avg_s'].map((k) => h('td', {}, value(measures.find((m) => m.key === k), s.bucket[k]))),
        byWeek && ['frt_avg_s', 'duration_avg_s'].map((k) => h('td', { dataset: { change: k } }, this.#weekChange(k, periods, i))))));
    const counts = res.total?.rating_counts ?? [0, 0, 0, 0, 0];
    this.#ref('ratings-rows').replaceChildren(
      h('tr', {}, h('th', { scope: 'col' }, t('stats.score')), h('th', { scope: 'col' }, t('stats.count'))),
      ...[5, 4, 3, 2, 1].map((s) => h('tr', { dataset: { testid: 'stats-rating-row', score: s } },
        h('th', { scope: 'row' }, '★'.repeat(s)), h('td', {}, numberFormat().format(counts[s - 1])))),
      h('tr', {}, h('th', { scope: 'row' }, t('stats.m_rating_rate')), h('td', {}, value(measures[11], res.total?.rating_rate))));
  }

  // #series is one point per bucket start with the whole period's
  // figures: the bucket itself, or, when split, the period with all groups
  // together (the server's periods), never one group's.
  #series() {
    const res = this.#result;
    return (res.group === 'none' ? res.buckets : res.periods ?? []).map((b) => ({ label: this.#periodText(b), bucket: b }));
  }

  #renderCharts() {
    for (const c of this.#charts) c.destroy();
    this.#charts = [];
    if (!this.offsetParent) return;
    const res = this.#result;
    const css = getComputedStyle(this);
    const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    const palette = [color('--brand', '#3b6ef5'), '#2e9e6b', '#d9822b', '#8e5bd6', '#c2416b', '#4a9fb8', '#7a7f2a', '#6b7280'];
    const text = color('--muted', '#667');
    const grid = color('--line', '#ddd');
    const starts = [...new Set(res.buckets.map((b) => b.start))];
    const xs = starts.map((_, i) => i);
    const labels = starts.map((s) => (res.bucket === 'week' ? s.slice(5) + '~' : s.slice(5)));
    const axes = (yFormat) => [
      { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (u, splits) => splits.map((i) => labels[i] ?? '') },
      { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 56, values: (u, splits) => splits.map(yFormat) },
    ];
    const width = (el) => Math.max(240, el.clientWidth || this.clientWidth - 40);
    const count = (v) => (Number.isInteger(v) ? numberFormat().format(v) : '');

    // Trend lines: inflow, completed and unprocessed, or each group's inflow.
    const trendEl = this.#ref('trend');
    let series;
    let data;
    if (res.group === 'none') {
      const pick = (k) => starts.map((s) => res.buckets.find((b) => b.start === s)?.[k] ?? 0);
      series = ['inflow', 'completed', 'unprocessed'].map((k, i) => ({ label: t('stats.m_' + k), stroke: palette[i], width: 2, points: { size: 6 } }));
      data = [xs, pick('inflow'), pick('completed'), pick('unprocessed')];
    } else {
      // Every group, as the table has them: past the palette's colours
      // they come round again, dashed (the chart showed the first eight
      // groups only, and said nothing of the rest).
      const keys = [...new Set(res.buckets.map((b) => b.group_key))];
      series = keys.map((k, i) => ({ label: this.#groupName(k), stroke: palette[i % palette.length], dash: i >= palette.length ? [6, 4] : undefined, width: 2, points: { size: 6 } }));
      data = [xs, ...keys.map((k) => starts.map((s) => res.buckets.find((b) => b.start === s && b.group_key === k)?.inflow ?? 0))];
    }
    this.#charts.push(new uPlot({
      width: width(trendEl), height: 220, scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(4, max * 1.1)] } },
      axes: axes(count), series: [{ label: t('stats.period'), value: (u, i) => labels[i] ?? '' }, ...series], legend: { live: false },
    }, data, trendEl));

    // Bars: average and p90 first response time per bucket, in minutes.
    const timesEl = this.#ref('times');
    const rows = this.#series();
    const minutes = (k) => rows.map((r) => (r.bucket[k] == null ? null : Math.round((r.bucket[k] / 60) * 10) / 10));
    const bars = uPlot.paths.bars({ size: [0.6, 48] });
    this.#charts.push(new uPlot({
      width: width(timesEl), height: 200, scales: { x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
      axes: axes((v) => t('stats.minutes_short', { m: v })), legend: { live: false },
      series: [{ label: t('stats.period'), value: (u, i) => labels[i] ?? '' },
        { label: t('stats.m_frt_avg_s'), fill: palette[0] + 'cc', stroke: palette[0], paths: bars, points: { show: false } },
        { label: t('stats.m_frt_p90_s'), stroke: palette[2], width: 2, points: { size: 6 } }],
    }, [xs, minutes('frt_avg_s'), minutes('frt_p90_s')], timesEl));

    // Rating distribution: bars for 1 to 5 stars.
    const ratingsEl = this.#ref('ratings');
    const counts = res.total?.rating_counts ?? [0, 0, 0, 0, 0];
    this.#charts.push(new uPlot({
      width: width(ratingsEl), height: 200, scales: { x: { time: false, range: () => [0.4, 5.6] }, y: { range: (u, min, max) => [0, Math.max(4, max * 1.15)] } },
      axes: [{ stroke: text, grid: { show: false }, ticks: { show: false }, splits: () => [1, 2, 3, 4, 5], values: (u, splits) => splits.map((s) => '★' + s) },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 48, values: (u, splits) => splits.map(count) }],
      legend: { show: false },
      series: [{}, { label: t('stats.count'), fill: palette[1] + 'cc', stroke: palette[1], paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }],
    }, [[1, 2, 3, 4, 5], counts], ratingsEl));
    this.dataset.charts = String(this.#charts.length);
  }

  #resizeCharts() {
    for (const c of this.#charts) {
      const w = Math.max(240, c.root.parentElement.clientWidth);
      if (Math.abs(c.width - w) > 4) c.setSize({ width: w, height: c.height });
    }
  }
}

customElements.define('sodam-stats', Stats);
