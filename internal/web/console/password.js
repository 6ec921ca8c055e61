// A hint of how hard a new password is to guess, shown while it is typed
// (the profile, an invitation, a reset link). The server decides, with a
// real strength estimator (zxcvbn) and its list of common passwords; the
// hint only catches what is plainly too weak before a round trip: too
// short, the email in it, one character repeated, a keyboard or alphabet
// run, or too little variety for its length.
import { h } from '../shared/dom.js';
import { t } from './i18n.js';

export const MIN_LENGTH = 10;

const runs = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1q2w3e4r5t'];
const common = ['password', 'passw0rd', 'letmein', 'welcome', 'iloveyou', 'admin', 'sodam', 'qwerty', 'dragon', 'monkey', 'sunshine'];

// strength scores password from 0 (refused for sure) to 4 (strong), with
// the key of the reason for a low score. who holds the email and name the
// password should not contain.
export function strength(password, who = {}) {
  const p = password.toLowerCase();
  if (password.length < MIN_LENGTH) return { score: 0, reason: 'password.too_short' };
  const local = (who.email ?? '').toLowerCase().split('@')[0];
  if ((local.length >= 3 && p.includes(local)) || (who.name && who.name.length >= 3 && p.includes(who.name.toLowerCase()))) {
    return { score: 0, reason: 'password.has_email' };
  }
  if (new Set(p).size <= 2) return { score: 0, reason: 'password.repeated' };
  const stripped = [...runs, ...common].reduce((rest, r) => {
    for (let n = r.length; n >= 4; n--) {
      for (let i = 0; i + n <= r.length; i++) rest = rest.split(r.slice(i, i + n)).join('');
    }
    return rest;
  }, p.replace(/(.)\1{2,}/g, '$1'));
  if (stripped.length < 4) return { score: 1, reason: 'password.guessable' };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += /[^\x00-\x7f]/.test(password) ? 100 : 33;
  const bits = stripped.length * Math.log2(Math.max(pool, 10));
  if (bits < 40) return { score: 1, reason: 'password.guessable' };
  if (bits < 55) return { score: 2, reason: '' };
  if (bits < 75) return { score: 3, reason: '' };
  return { score: 4, reason: '' };
}

const levels = ['password.level_0', 'password.level_1', 'password.level_2', 'password.level_3', 'password.level_4'];

// StrengthHint fills box (an element with data-testid) with a meter and a
// sentence that follow input. who() returns the email and name to check.
export class StrengthHint {
  constructor(input, box, who = () => ({})) {
    this.input = input;
    this.box = box;
    this.who = who;
    this.meter = h('meter', { min: 0, max: 4, low: 2, high: 3, optimum: 4, value: 0, 'aria-hidden': 'true' });
    this.text = h('span', { class: 'strength-text' });
    box.classList.add('strength');
    box.setAttribute('aria-live', 'polite');
    box.replaceChildren(this.meter, this.text);
    input.addEventListener('input', () => this.update());
    this.update();
  }

  update() {
    const value = this.input.value;
    const { score, reason } = strength(value, this.who());
    this.box.dataset.score = value ? score : '';
    this.meter.value = value ? score : 0;
    const level = t(levels[score]);
    this.text.textContent = !value ? t('password.rule', { n: MIN_LENGTH })
      : reason ? `${level} · ${t(reason, { n: MIN_LENGTH })}` : level;
  }
}
