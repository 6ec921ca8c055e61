// The console's language and how times are shown. Korean for a Korean
// browser unless the agent picked a language, which is remembered in
// localStorage. The messages are in i18n/ko.json and i18n/en.json, beside
// shared/i18n/ for what the widget says alike.
import { h, storage } from '../shared/dom.js';
import { Locale, knownTimeZone } from '../shared/locale.js';

const langKey = 'sodam.lang';

export const locale = new Locale((lang) => new URL(`./i18n/${lang}.json`, import.meta.url));
export const t = locale.t;

// The console starts in the remembered or the browser's language; the other
// one loads meanwhile, so switching later is as quick as before.
await locale.use(storage.get(langKey) || navigator.language);
locale.load(locale.lang === 'ko' ? 'en' : 'ko').catch(() => {});

// chooseLanguage switches the console's language and remembers the choice;
// without a language it forgets the choice and follows the browser.
export function chooseLanguage(lang) {
  if (!lang) {
    storage.remove(langKey);
    return locale.set(navigator.language);
  }
  storage.set(langKey, lang);
  return locale.set(lang);
}

// The workspace's time zone (settings.business_hours.time_zone): every
// time the console shows is in it, whatever the agent's computer says, so
// agents in other places and the business hours agree. Until the workspace
// is loaded, or for a zone this browser does not know, the browser's.
let timeZone;

// setTimeZone uses the workspace's zone from now on and redraws what shows
// times (as a change of language does).
export function setTimeZone(zone) {
  const next = knownTimeZone(zone);
  if (next === timeZone) return;
  timeZone = next;
  locale.dispatchEvent(new Event('change'));
}

// dateFormat is an Intl.DateTimeFormat in the console's language and the
// workspace's time zone.
export const dateFormat = (options) => intlFormat(Intl.DateTimeFormat, { ...options, timeZone });

// A time people enter — a ticket's due time, an API token's last day —
// is a wall time in the workspace's time zone (what dateFormat shows),
// not the browser's: toLocalInput and fromLocalInput convert
// "YYYY-MM-DDTHH:MM" through the zone's offset at that moment.
function zoneParts(date) {
  const parts = Object.fromEntries(dateFormat({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(date).filter((p) => p.type !== 'literal').map((p) => [p.type, p.value]));
  return { y: Number(parts.year), mo: Number(parts.month), d: Number(parts.day), h: Number(parts.hour) % 24, mi: Number(parts.minute) };
}

export function toLocalInput(date) {
  const p = zoneParts(date);
  const two = (n) => String(n).padStart(2, '0');
  return `${String(p.y).padStart(4, '0')}-${two(p.mo)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}`;
}

export function fromLocalInput(value) {
  const [date, time] = value.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mi] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mi);
  // The zone's offset at the guessed instant, then once more at the result
  // (a change of offset between them moves it).
  let utc = wall;
  for (let i = 0; i < 2; i++) {
    const p = zoneParts(new Date(utc));
    const shown = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi);
    utc = wall - (shown - utc);
  }
  return new Date(utc).toISOString().replace('.000Z', 'Z');
}

// numberFormat is an Intl.NumberFormat in the console's language.
export const numberFormat = (options = {}) => intlFormat(Intl.NumberFormat, options);

// intlFormat makes each Intl format once. Making one costs far more than
// formatting with it, and every line of a thread shows two times: a long
// chat redrawn in a new language made thousands, and the page stalled for
// seconds (docs/benchmarks.md). There are a few dozen at most: the options
// in the code, in two languages and the zones of the workspaces opened.
const formats = new Map();

function intlFormat(Format, options) {
  const key = `${Format.name} ${locale.lang} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Format(locale.lang, options);
    formats.set(key, format);
  }
  return format;
}

const minute = 60 * 1000;
const hour = 60 * minute;
const day = 24 * hour;

// relativeTime says how long ago date was: "방금 전", "3분 전", "어제", then
// the date itself once it is a week old.
export function relativeTime(date, now = Date.now()) {
  const ago = now - date.getTime();
  if (ago < minute) return t('time.now');
  const rtf = intlFormat(Intl.RelativeTimeFormat, { numeric: 'auto' });
  if (ago < hour) return rtf.format(-Math.floor(ago / minute), 'minute');
  if (ago < day) return rtf.format(-Math.floor(ago / hour), 'hour');
  if (ago < 7 * day) return rtf.format(-Math.floor(ago / day), 'day');
  return dateFormat({ month: 'short', day: 'numeric' }).format(date);
}

// exactTime is the full date and time with the zone, for title attributes
// and details.
export const exactTime = (date) =>
  dateFormat({ year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).format(date);

// dateTime is the date and the time to the minute, as details show them
// (exactTime on hover).
export const dateTime = (date) => dateFormat({ dateStyle: 'medium', timeStyle: 'short' }).format(date);

// hoverText is the tooltip of a text shown cut short with “…” (a
// message's preview): the text, up to 200 characters of it.
export function hoverText(s) {
  const chars = [...s];
  return chars.length > 200 ? chars.slice(0, 200).join('') + '…' : s;
}

// clockTime is the time of day, shown under each message.
export const clockTime = (date) => dateFormat({ hour: 'numeric', minute: '2-digit' }).format(date);

// waitingTime is a duration in minutes, hours or days: "12분", "1시간 5분".
export function waitingTime(ms) {
  const minutes = Math.floor(Math.max(0, ms) / minute);
  if (minutes < 1) return t('time.under_minute');
  if (minutes < 60) return t('time.minutes', { m: minutes });
  if (minutes < 24 * 60) return t('time.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
  return t('time.days', { d: Math.floor(minutes / (24 * 60)) });
}

// label translates a code the server may extend, showing it as is when
// the catalog does not know it yet.
export function label(prefix, code) {
  return locale.has(prefix + code) ? t(prefix + code) : code;
}

// closeReasonText words a close reason; given the conversation, a close by
// the robot after its customer asked in vain for a person (agent_refused_at)
// says so rather than "resolved by the bot" (docs/statistics.md, "The robot").
export const closeReasonText = (reason, c) => label('close_reason.', reason === 'robot' && c?.agent_refused_at ? 'robot_refused' : reason);

// processedText words how a closed conversation counts, as statistics count
// it: processed (an agent replied), resolved by the robot, or unprocessed.
// prefix is the catalog's: 'history.processed_' or 'details.processed_'.
export const processedText = (prefix, c) =>
  t(prefix + (c.processed ? 'yes' : c.close_reason === 'robot' && !c.agent_refused_at ? 'robot' : 'no'));

// channels are the channels a conversation comes in by, as the server
// knows them (chat.Channels): the statistics' and the history's filters.
export const channels = ['web', 'kakao', 'naver', 'telegram', 'api'];
export const statusText = (status) => label('status.', status);

// formError shows a refusal in el: the translated sentence for its code
// and, for invalid input or a limit reached, the server's own words as
// the detail naming the field or the limit (in the console's language:
// api.js sends it as Accept-Language).
export function formError(el, err) {
  const detail = (err?.code === 'invalid_input' || err?.code === 'limit_reached') && err.message ? err.message : '';
  el.replaceChildren(locale.errorText(err), ...(detail ? [' ', h('small', { class: 'detail' }, detail)] : []));
  el.dataset.code = err?.code ?? '';
}

let errorBoxes = 0; // numbers the ids markInvalid gives error boxes

// markInvalid marks a field the user must correct: aria-invalid, and
// aria-describedby naming box, the words that say why, so that a screen
// reader reads the reason again whenever the field has the focus (the
// box's role=alert says it once, when it appears). Typing in the field
// takes the mark away.
export function markInvalid(input, box) {
  if (!box.id) box.id = `form-error-${++errorBoxes}`;
  clearInvalid(input);
  input.setAttribute('aria-invalid', 'true');
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  input.setAttribute('aria-describedby', [...ids, box.id].join(' '));
  input.dataset.errorBox = box.id;
  input.addEventListener('input', () => clearInvalid(input), { once: true });
}

// clearInvalid takes away what markInvalid put on a field.
export function clearInvalid(input) {
  input.removeAttribute('aria-invalid');
  const box = input.dataset.errorBox;
  if (!box) return;
  delete input.dataset.errorBox;
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id && id !== box);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}
