// "Never miss a chat" (§5.6): a sound on a new request, on a new message in
// one's own chats and on a mention, with a setting and a volume kept per
// browser; browser notifications, asked for at a sensible moment (the
// agent's own click on the offer, never on page load), whose click opens
// the conversation. <sodam-alert-settings> is the bell in the list's
// header: the sound switch, the volume, a test and the notification offer.
//
// Chrome's autoplay rules let a page make sound only after the person
// interacted with it: the AudioContext is created suspended and resumed on
// the first click or key press, and a chime that comes before that is
// skipped (the blinking title and the notification still say it).
import { storage } from '../shared/dom.js';
import { t } from './i18n.js';
import { customerName } from './names.js';
import { template, stamp } from './template.js';

const settingsKey = 'sodam.alerts';
const offerKey = 'sodam.alerts.offer-dismissed';

// The chimes, as notes (frequency in Hz, start and length in seconds).
const chimes = {
  request: [[660, 0, 0.16], [880, 0.17, 0.28]],
  message: [[740, 0, 0.14]],
  mention: [[880, 0, 0.12], [660, 0.13, 0.12], [880, 0.26, 0.2]],
};

export function alertSettings() {
  const saved = readJSON(storage.get(settingsKey));
  const volume = Number.isFinite(saved.volume) ? Math.min(1, Math.max(0, saved.volume)) : 0.6;
  return { sound: saved.sound !== false, volume };
}

function saveSettings(s) {
  storage.set(settingsKey, JSON.stringify(s));
}

let audio = null; // the AudioContext, once created

// unlock resumes audio after a user gesture, as Chrome's autoplay rules
// require; it is called on every click and key press (cheap when running).
function unlock() {
  const Ctx = window.AudioContext ?? window.webkitAudioContext;
  if (!Ctx) return;
  audio ??= new Ctx();
  if (audio.state === 'suspended') audio.resume().catch(() => {});
}
addEventListener('pointerdown', unlock, true);
addEventListener('keydown', unlock, true);

// playChime plays a kind's chime at the chosen volume; it reports whether
// it could (the page may not have been interacted with yet).
export function playChime(kind, volume = alertSettings().volume) {
  if (!audio || audio.state !== 'running' || volume <= 0) return false;
  const now = audio.currentTime;
  for (const [freq, at, len] of chimes[kind] ?? chimes.message) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.4 * volume, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + len);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + len + 0.05);
  }
  return true;
}

// Attention turns an inbox's alerts into a chime and, when the console is
// not in front of the agent, a browser notification.
export class Attention {
  #inbox;
  #onAlert = (e) => this.#alert(e.detail);

  constructor(inbox) {
    this.#inbox = inbox;
    inbox.addEventListener('alert', this.#onAlert);
  }

  stop() {
    this.#inbox.removeEventListener('alert', this.#onAlert);
  }

  #alert({ conversation: c, kind, message }) {
    const me = this.#inbox.members.get(this.#inbox.agentId);
    if (me?.status === 'offline') return; // an agent who signed off is not called
    const s = alertSettings();
    if (s.sound) playChime(kind, s.volume);
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    notify(c, kind, message);
  }
}

// notify shows a browser notification for a conversation; its click brings
// the console forward on that conversation. One per conversation at a time
// (the tag), renewed with each alert.
function notify(c, kind, message) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const name = customerName(c) || t('msg.visitor');
  const title = t('notify.' + kind, { name, no: c.room_no, agent: message?.sender_name ?? '' });
  let body = kind === 'request' ? c.last_message || '' : message?.body ?? c.last_message ?? '';
  if (message?.kind === 'file') body = t('notify.file', { name: message.body });
  const n = new Notification(title, { body: body.slice(0, 180), tag: `sodam-c-${c.id}`, renotify: true, lang: document.documentElement.lang });
  n.onclick = () => {
    window.focus();
    location.hash = `#/c/${c.id}`;
    n.close();
  };
}

// notificationOffer says whether to offer notifications: the browser has
// them, the agent has not decided, and has not closed the offer.
function notificationOffer() {
  return 'Notification' in window && Notification.permission === 'default' && storage.get(offerKey) !== '1';
}

const markup = template(`
<button type="button" class="icon alert-bell" popovertarget="alert-settings" data-i18n-attr="aria-label:alerts.title;title:alerts.title" data-testid="alert-settings-button">
  <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0"/></svg>
</button>
<div id="alert-settings" class="menu alert-settings" popover data-testid="alert-settings">
  <h2 data-i18n="alerts.title"></h2>
  <label class="check"><input type="checkbox" data-ref="sound" data-testid="alert-sound"><span data-i18n="alerts.sound"></span></label>
  <label class="volume"><span data-i18n="alerts.volume"></span>
    <input type="range" min="0" max="100" step="5" data-ref="volume" data-testid="alert-volume">
  </label>
  <button type="button" class="secondary" data-ref="test" data-i18n="alerts.test" data-testid="alert-test"></button>
  <p class="help" data-ref="permission" data-testid="alert-permission"></p>
  <button type="button" class="primary" data-ref="enable" data-i18n="alerts.enable" data-testid="alert-enable" hidden></button>
  <button type="button" class="link" data-ref="shortcuts" data-i18n="alerts.shortcuts" data-testid="alert-shortcuts"></button>
</div>
<div class="notify-offer" role="status" data-ref="offer" data-testid="notify-offer" hidden>
  <p data-i18n="alerts.offer"></p>
  <button type="button" class="primary" data-ref="offer-yes" data-i18n="alerts.enable" data-testid="notify-offer-enable"></button>
  <button type="button" class="icon" data-ref="offer-no" data-i18n-attr="aria-label:alerts.dismiss;title:alerts.dismiss" data-testid="notify-offer-dismiss">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>
  </button>
</div>
`);

class AlertSettings extends HTMLElement {
  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    const sound = this.#ref('sound');
    const volume = this.#ref('volume');
    const save = () => saveSettings({ sound: sound.checked, volume: Number(volume.value) / 100 });
    sound.addEventListener('change', save);
    volume.addEventListener('change', () => {
      save();
      playChime('message', Number(volume.value) / 100);
    });
    this.#ref('test').addEventListener('click', () => {
      unlock();
      playChime('request', Number(volume.value) / 100);
    });
    this.#ref('enable').addEventListener('click', () => this.#ask());
    this.#ref('shortcuts').addEventListener('click', () => {
      this.querySelector('[popover]').hidePopover();
      document.querySelector('sodam-shortcuts')?.help();
    });
    this.#ref('offer-yes').addEventListener('click', () => this.#ask());
    this.#ref('offer-no').addEventListener('click', () => {
      storage.set(offerKey, '1');
      this.#render();
    });
    this.querySelector('[popover]').addEventListener('toggle', () => this.#render());
    this.#render();
  }

  // offer shows the notification offer: called once the agent is online
  // (the moment a call for chats makes sense), never on page load alone.
  offer() {
    this.#offered = true;
    this.#render();
  }

  #offered = false;

  async #ask() {
    if (!('Notification' in window)) return;
    await Notification.requestPermission();
    this.#render();
  }

  #render() {
    const s = alertSettings();
    this.#ref('sound').checked = s.sound;
    this.#ref('volume').value = Math.round(s.volume * 100);
    const supported = 'Notification' in window;
    const permission = supported ? Notification.permission : 'unsupported';
    this.#ref('permission').textContent = t('alerts.permission_' + permission);
    this.#ref('enable').hidden = permission !== 'default';
    this.#ref('offer').hidden = !(this.#offered && notificationOffer());
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }
}

customElements.define('sodam-alert-settings', AlertSettings);

function readJSON(text) {
  try {
    return JSON.parse(text) ?? {};
  } catch {
    return {};
  }
}
