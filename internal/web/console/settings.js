// <sodam-settings> is the settings page: one card per subject, each a custom
// element of its own under settings/ — the operation switch, the embed
// snippet and identity secret, the widget's look and words, assignment and
// timers, the files people may send, each agent's capacity, business
// hours, tags, categories, canned responses, the blocked customers and
// the API tokens. Managers and masters may edit; agents only read (the
// cards' shared base, settings/card.js, gates them). The page reads the
// workspace once each time it opens and hands it to the cards that show
// its settings.
//
// A section menu leads to each card the agent can see: a list that stays
// in view beside the cards on a wide screen, a select above them on a
// phone. It marks the card being read as the page scrolls.
import { h } from '../shared/dom.js';
import { locale, t } from './i18n.js';
import './settings/blocked.js';
import './settings/canned.js';
import './settings/capacity.js';
import { SettingsCard } from './settings/card.js';
import './settings/categories.js';
import './settings/embed.js';
import './settings/faq.js';
import './settings/files.js';
import './settings/hours.js';
import './settings/operation.js';
import './settings/pii.js';
import './settings/routing.js';
import './settings/tags.js';
import './settings/tokens.js';
import './settings/widget.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const markup = template(`
<h1 data-i18n="settings.heading"></h1>
<div class="settings-layout">
  <nav class="settings-menu" data-i18n-attr="aria-label:settings.sections" data-testid="settings-menu">
    <ul data-ref="menu"></ul>
    <label class="settings-jump">
      <span class="sr-only" data-i18n="settings.sections"></span>
      <select data-ref="jump" data-testid="settings-jump"></select>
    </label>
  </nav>
  <div class="settings-cards" data-ref="cards">
    <sodam-settings-operation class="card operation" data-state="running" data-testid="operation-card"></sodam-settings-operation>
    <sodam-settings-embed class="card"></sodam-settings-embed>
    <sodam-settings-widget></sodam-settings-widget>
    <sodam-settings-routing></sodam-settings-routing>
    <sodam-settings-files></sodam-settings-files>
    <sodam-settings-capacity class="card" data-testid="capacity-card"></sodam-settings-capacity>
    <sodam-settings-hours></sodam-settings-hours>
    <sodam-settings-pii></sodam-settings-pii>
    <sodam-settings-tags class="card" data-testid="tags-card"></sodam-settings-tags>
    <sodam-settings-categories class="card" data-testid="categories-card"></sodam-settings-categories>
    <sodam-settings-canned class="card" data-testid="canned-card"></sodam-settings-canned>
    <sodam-settings-faq class="card" data-testid="faq-card"></sodam-settings-faq>
    <sodam-settings-blocked class="card" data-testid="blocked-card" hidden></sodam-settings-blocked>
    <sodam-settings-tokens class="card" data-testid="tokens-card" hidden></sodam-settings-tokens>
  </div>
</div>`);

// section names a card: sodam-settings-routing → routing.
const section = (card) => card.localName.replace('sodam-settings-', '');

class Settings extends HTMLElement {
  #frame = 0;
  #pinned = 0; // until when a chosen section stays marked while scrolling to it

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    this.querySelector('[data-ref=jump]').addEventListener('change', (e) => this.scrollToSection(e.target.value));
    // The page itself scrolls (.page), so the menu follows its scrolling.
    this.addEventListener('scroll', () => {
      if (!this.#frame) {
        this.#frame = requestAnimationFrame(() => {
          this.#frame = 0;
          this.#markCurrent();
        });
      }
    }, { passive: true });
    locale.addEventListener('change', () => this.#buildMenu());
  }

  get #cards() {
    return [...this.querySelector('[data-ref=cards]').children].filter((el) => el instanceof SettingsCard);
  }

  // attach follows inbox's workspace and agents; it is called again when
  // the agent switches workspace.
  attach(inbox) {
    for (const card of this.#cards) card.attach(inbox);
  }

  // show loads the workspace's settings each time the page is opened.
  async show(inbox) {
    const cards = this.#cards;
    for (const card of cards) card.show(inbox);
    this.#buildMenu();
    try {
      const [embed, workspace] = await Promise.all([
        inbox.request('GET', '/embed'),
        inbox.request('GET', ''),
        inbox.loadMembers(),
      ]);
      for (const card of cards) card.fill(workspace, embed);
      inbox.setWorkspace(workspace);
    } catch (err) {
      toast(locale.errorText(err));
    }
    for (const card of cards) card.load();
  }

  // #buildMenu lists the cards the agent sees, by their short names.
  #buildMenu() {
    if (!this.firstElementChild) return;
    const cards = this.#cards.filter((card) => !card.hidden);
    this.querySelector('[data-ref=menu]').replaceChildren(...cards.map((card) => h('li', {},
      h('button', {
        type: 'button', dataset: { section: section(card), testid: 'settings-menu-item' },
        onclick: () => this.scrollToSection(section(card)),
      }, t('settings_menu.' + section(card))))));
    this.querySelector('[data-ref=jump]').replaceChildren(...cards.map((card) =>
      h('option', { value: section(card) }, t('settings_menu.' + section(card)))));
    this.#markCurrent();
  }

  // scrollToSection brings a card to the top of the page and moves the
  // keyboard focus to its heading.
  scrollToSection(name) {
    const card = this.#cards.find((c) => section(c) === name);
    if (!card) return;
    // At once rather than smoothly: cards still loading change the page's
    // height, which would stop a smooth scroll short of the card.
    card.scrollIntoView({ block: 'start' });
    const heading = card.querySelector('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    this.#mark(name);
    this.#pinned = Date.now() + 1000;
  }

  // #markCurrent marks the first card still in view below the top.
  #markCurrent() {
    if (Date.now() < this.#pinned) return;
    const top = this.getBoundingClientRect().top;
    const cards = this.#cards.filter((c) => !c.hidden);
    const current = cards.find((c) => c.getBoundingClientRect().bottom > top + 96) ?? cards.at(-1);
    if (current) this.#mark(section(current));
  }

  #mark(name) {
    for (const button of this.querySelectorAll('[data-ref=menu] button')) {
      if (button.dataset.section === name) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    this.querySelector('[data-ref=jump]').value = name;
  }
}

customElements.define('sodam-settings', Settings);
