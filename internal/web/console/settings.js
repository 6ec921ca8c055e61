// <sodam-settings> is the settings page: one card per subject, each a custom
// element of its own under settings/ — the operation switch, the embed
// snippet and identity secret, the widget's look and words, assignment and
// timers, the files people may send, each agent's capacity, business
// hours, tags, categories, canned responses and the blocked customers.
// Managers and masters may edit; agents only read (the cards' shared
// base, settings/card.js, gates them). The page reads the workspace once
// each time it opens and hands it to the cards that show its settings.
import { locale } from './i18n.js';
import './settings/blocked.js';
import './settings/canned.js';
import './settings/capacity.js';
import { SettingsCard } from './settings/card.js';
import './settings/categories.js';
import './settings/embed.js';
import './settings/files.js';
import './settings/hours.js';
import './settings/operation.js';
import './settings/routing.js';
import './settings/tags.js';
import './settings/widget.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const markup = template(`
<h1 data-i18n="settings.heading"></h1>
<sodam-settings-operation class="card operation" data-state="running" data-testid="operation-card"></sodam-settings-operation>
<sodam-settings-embed class="card"></sodam-settings-embed>
<sodam-settings-widget></sodam-settings-widget>
<sodam-settings-routing></sodam-settings-routing>
<sodam-settings-files></sodam-settings-files>
<sodam-settings-capacity class="card" data-testid="capacity-card"></sodam-settings-capacity>
<sodam-settings-hours></sodam-settings-hours>
<sodam-settings-tags class="card" data-testid="tags-card"></sodam-settings-tags>
<sodam-settings-categories class="card" data-testid="categories-card"></sodam-settings-categories>
<sodam-settings-canned class="card" data-testid="canned-card"></sodam-settings-canned>
<sodam-settings-blocked class="card" data-testid="blocked-card" hidden></sodam-settings-blocked>`);

class Settings extends HTMLElement {
  connectedCallback() {
    if (!this.firstElementChild) stamp(this, markup);
  }

  get #cards() {
    return [...this.children].filter((el) => el instanceof SettingsCard);
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
}

customElements.define('sodam-settings', Settings);
