// Keyboard shortcuts (§5.6) and their help dialog, and the quick switcher.
// <sodam-shortcuts> holds both dialogs; bindShortcuts(getInbox) listens on
// the document. Letters are matched by e.code, not e.key, because Alt with
// a letter types another character on a Mac and a Korean layout types
// Hangul: Alt+A is the same key on every keyboard.
//
//   Alt+↓ / Alt+↑   next / previous conversation in the list (J / K too,
//                   outside text fields)
//   Alt+A           assign to me
//   Alt+C           close (opens the wrap-up note)
//   Alt+N           switch the composer between reply and internal note
//   /  or Alt+R     focus the composer
//   Ctrl+K / ⌘K     quick switcher
//   ?  or Ctrl+/    this help
//
// The keys without a modifier (J, K, / and ?) can be turned off in the
// help, for this browser (WCAG 2.1.4): speech input types letters, and a
// stray key should not move an agent to another chat.
import { h, storage } from '../shared/dom.js';
import { hoverText, locale, t } from './i18n.js';
import { typedIn } from './hangul.js';
import { customerName } from './names.js';
import { stamp, template } from './template.js';

// The list of shortcuts the help shows, in order: keys and what they do.
const shortcuts = [
  [['Alt', '↓'], 'shortcut.next'],
  [['Alt', '↑'], 'shortcut.previous'],
  [['Alt', 'A'], 'shortcut.assign'],
  [['Alt', 'C'], 'shortcut.close'],
  [['Alt', 'N'], 'shortcut.note'],
  [['/'], 'shortcut.composer'],
  [['Ctrl', 'K'], 'shortcut.switcher'],
  [['?'], 'shortcut.help'],
  [['Esc'], 'shortcut.escape'],
];

const markup = template(`
<dialog class="dialog shortcuts-dialog" data-ref="help" aria-labelledby="shortcuts-title" data-testid="shortcuts-dialog">
  <h2 id="shortcuts-title" data-i18n="shortcut.title"></h2>
  <dl class="shortcuts" data-ref="list"></dl>
  <label class="check"><input type="checkbox" data-ref="single-keys" aria-describedby="shortcuts-single-keys-help" data-testid="shortcuts-single-keys"><span data-i18n="shortcut.single_keys"></span></label>
  <p class="help" id="shortcuts-single-keys-help" data-i18n="shortcut.single_keys_help"></p>
  <div class="dialog-actions"><button type="button" class="primary" data-dismiss data-i18n="shortcut.done" data-testid="shortcuts-close"></button></div>
</dialog>
<dialog class="dialog switcher" data-ref="switcher" aria-labelledby="switcher-title" data-testid="switcher">
  <h2 id="switcher-title" class="sr-only" data-i18n="switcher.title"></h2>
  <input type="search" role="combobox" aria-expanded="true" aria-controls="switcher-results" aria-autocomplete="list" autocomplete="off"
    data-ref="query" data-i18n-attr="placeholder:switcher.placeholder;aria-label:switcher.title" data-testid="switcher-input">
  <ul id="switcher-results" role="listbox" class="switcher-results" data-ref="results" data-testid="switcher-results"></ul>
  <p class="help" data-ref="empty" data-i18n="switcher.empty" hidden></p>
</dialog>
`);

const singleKeysKey = 'sodam.shortcuts.single-keys';
const singleKeysOn = () => storage.get(singleKeysKey) !== 'off';

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);

// matches reports whether a conversation answers a query: its customer's
// name (as typed so far, or its Hangul initials), its room number, or its
// preview.
export function matches(c, query) {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return true;
  const room = q.replace(/^#/, '');
  if (/^\d+$/.test(room) && String(c.room_no).startsWith(room)) return true;
  const name = (customerName(c) ?? '').toLocaleLowerCase();
  if (typedIn(name, q)) return true;
  return (c.last_message ?? '').toLocaleLowerCase().includes(q);
}

class Shortcuts extends HTMLElement {
  #inbox = null;
  #choices = [];
  #at = 0;

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    this.#fillHelp();
    locale.addEventListener('change', () => this.#fillHelp());
    for (const b of this.querySelectorAll('[data-dismiss]')) b.addEventListener('click', () => b.closest('dialog').close());
    const single = this.#ref('single-keys');
    single.addEventListener('change', () => storage.set(singleKeysKey, single.checked ? 'on' : 'off'));
    const query = this.#ref('query');
    query.addEventListener('input', () => this.#search());
    query.addEventListener('keydown', (e) => {
      // Never while an IME is composing: Safari reports the Enter that
      // ends a Korean syllable as key code 229, after compositionend.
      if (e.isComposing || e.keyCode === 229) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.#move(e.key === 'ArrowDown' ? 1 : -1);
      } else if (e.key === 'Enter') {
        e.preventDefault();
        this.#choose(this.#choices[this.#at]);
      }
    });
    // A click outside the switcher's box closes it.
    this.#ref('switcher').addEventListener('click', (e) => {
      if (e.target === e.currentTarget) e.currentTarget.close();
    });
  }

  attach(inbox) {
    this.#inbox = inbox;
  }

  help() {
    this.#closeAll();
    this.#ref('single-keys').checked = singleKeysOn(); // another tab may have changed it
    this.#ref('help').showModal();
  }

  switcher() {
    if (!this.#inbox) return;
    this.#closeAll();
    const query = this.#ref('query');
    query.value = '';
    this.#ref('switcher').showModal();
    this.#search();
    query.focus();
  }

  #closeAll() {
    for (const d of document.querySelectorAll('dialog[open]')) d.close();
  }

  #fillHelp() {
    this.#ref('list').replaceChildren(...shortcuts.flatMap(([keys, label]) => [
      h('dt', {}, ...keys.flatMap((k, i) => [i > 0 && ' + ', h('kbd', {}, k === 'Ctrl' && isMac() ? '⌘' : k)])),
      h('dd', {}, t(label)),
    ]));
  }

  // #search lists the conversations the agent can see that answer the
  // query: open ones first, newest activity first.
  #search() {
    const q = this.#ref('query').value;
    const order = { unassigned: 0, waiting: 1, active: 1, bot: 2, closed: 3 };
    this.#choices = [...this.#inbox.conversations.values()]
      .filter((c) => matches(c, q))
      .sort((a, b) => (order[a.state] ?? 4) - (order[b.state] ?? 4) || Date.parse(b.last_message_at) - Date.parse(a.last_message_at) || b.id - a.id)
      .slice(0, 20);
    this.#at = 0;
    this.#ref('results').replaceChildren(...this.#choices.map((c, i) => h('li', {
      role: 'option', id: `switcher-${c.id}`, 'aria-selected': String(i === 0),
      dataset: { conversationId: c.id, testid: 'switcher-result' },
      onclick: () => this.#choose(c),
    },
    h('span', { class: 'room' }, t('conv.room', { no: c.room_no })),
    h('span', { class: 'name', title: customerName(c) }, customerName(c)),
    h('span', { class: 'chip', dataset: { state: c.state } }, t('state.' + c.state)),
    h('span', { class: 'preview', title: hoverText(c.last_message ?? '') }, c.last_message ?? ''))));
    this.#ref('empty').hidden = this.#choices.length > 0;
    this.#mark();
  }

  #move(step) {
    if (!this.#choices.length) return;
    this.#at = (this.#at + step + this.#choices.length) % this.#choices.length;
    this.#mark();
  }

  #mark() {
    const items = this.#ref('results').children;
    for (let i = 0; i < items.length; i++) items[i].setAttribute('aria-selected', String(i === this.#at));
    items[this.#at]?.scrollIntoView({ block: 'nearest' });
    this.#ref('query').setAttribute('aria-activedescendant', items[this.#at]?.id ?? '');
  }

  #choose(c) {
    if (!c) return;
    this.#ref('switcher').close();
    location.hash = `#/c/${c.id}`;
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }
}

customElements.define('sodam-shortcuts', Shortcuts);

// typing reports whether a key goes to a text field (where plain keys type).
function typing(e) {
  const el = e.target;
  return el instanceof HTMLElement && (el.isContentEditable || el.matches('input, textarea, select'));
}

// click presses a visible, enabled button of the open conversation.
function click(testid) {
  const b = document.querySelector(`sodam-conversation [data-testid=${testid}]`);
  if (!b || b.hidden || b.disabled || !b.offsetParent) return false;
  b.click();
  return true;
}

// step opens the next or previous conversation of the list shown.
function step(dir) {
  const links = [...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')];
  if (!links.length) return;
  const at = links.findIndex((a) => a.getAttribute('aria-current') === 'page');
  const next = links[at < 0 ? (dir > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + dir))];
  location.hash = `#/c/${next.dataset.conversationId}`;
  next.scrollIntoView({ block: 'nearest' });
}

// bindShortcuts listens for the shortcuts on the console's document.
export function bindShortcuts(host, onChat) {
  document.addEventListener('keydown', (e) => {
    if (e.isComposing || e.keyCode === 229 || e.defaultPrevented) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && e.code === 'KeyK') {
      e.preventDefault();
      host.switcher();
      return;
    }
    if (mod && e.code === 'Slash') {
      e.preventDefault();
      host.help();
      return;
    }
    if (document.querySelector('dialog[open]')) return; // a dialog has the keys
    if (!onChat()) return;
    if (e.altKey && !mod) {
      const act = {
        ArrowDown: () => (step(1), true),
        ArrowUp: () => (step(-1), true),
        KeyA: () => click('assign-button'),
        KeyC: () => click('close-button') || click('wrapup-close'),
        KeyN: () => click('composer-note-toggle') && focusComposer(),
        KeyR: () => focusComposer(),
      }[e.code];
      if (act && act()) e.preventDefault();
      return;
    }
    if (mod || e.altKey || typing(e) || !singleKeysOn()) return;
    if (e.key === '?') {
      e.preventDefault();
      host.help();
    } else if (e.key === '/') {
      if (!focusComposer()) return;
      e.preventDefault();
      // Some input paths deliver the keypress even after its keydown was
      // cancelled: the slash must not land in the composer just focused.
      // The key's own keyup (or the next key) ends the watch: a timer did,
      // and a keypress later than it on a busy machine typed the slash.
      const swallow = (k) => {
        if (k.key === '/') k.preventDefault();
      };
      const done = () => {
        for (const [type, fn] of [['keypress', swallow], ['keyup', done], ['keydown', done]]) document.removeEventListener(type, fn, { capture: true });
      };
      document.addEventListener('keypress', swallow, { capture: true });
      document.addEventListener('keyup', done, { capture: true });
      document.addEventListener('keydown', done, { capture: true });
    } else if (letter(e) === 'j' || letter(e) === 'k') {
      e.preventDefault();
      step(letter(e) === 'j' ? 1 : -1);
    }
  });
}

// letter is the Latin letter a plain key types: e.key on a Latin layout
// (Dvorak's J is where it says), else the key's place (e.code), as a Mac's
// Korean layout gives ㅓ and ㅏ for J and K outside text fields too.
function letter(e) {
  if (/^[a-z]$/i.test(e.key)) return e.key.toLowerCase();
  return /^Key[A-Z]$/.test(e.code) ? e.code.slice(3).toLowerCase() : '';
}

function focusComposer() {
  const input = document.querySelector('sodam-conversation [data-testid=composer-input]');
  if (!input || input.disabled || !input.offsetParent) return false;
  input.focus();
  return true;
}
