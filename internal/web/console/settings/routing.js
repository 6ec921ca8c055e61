// <sodam-settings-routing> is how conversations reach agents: the
// assignment mode, the default capacity, sticky assignment, and the
// inactivity and auto-offline timers.
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

class RoutingCard extends SettingsCard {
  static markup = template(`
<form class="card" data-ref="routing" data-testid="routing-form">
  <h2 data-i18n="routing.heading"></h2>
  <p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
  <fieldset data-gated>
    <fieldset class="choices">
      <legend data-i18n="routing.mode"></legend>
      <label class="choice"><input type="radio" name="assignment_mode" value="manual" data-testid="settings-mode-manual"><span><strong data-i18n="mode.manual"></strong><small class="help" data-i18n="mode.manual_help"></small></span></label>
      <label class="choice"><input type="radio" name="assignment_mode" value="auto" data-testid="settings-mode-auto"><span><strong data-i18n="mode.auto"></strong><small class="help" data-i18n="mode.auto_help"></small></span></label>
      <label class="choice"><input type="radio" name="assignment_mode" value="hybrid" data-testid="settings-mode-hybrid"><span><strong data-i18n="mode.hybrid"></strong><small class="help" data-i18n="mode.hybrid_help"></small></span></label>
    </fieldset>
    <label>
      <span data-i18n="routing.capacity"></span>
      <input type="number" name="default_capacity" min="0" max="100" required inputmode="numeric" class="short" data-testid="settings-capacity">
      <small class="help" data-i18n="routing.capacity_help"></small>
    </label>
    <div class="group">
      <label class="check"><input type="checkbox" name="sticky" data-testid="settings-sticky"><span data-i18n="routing.sticky"></span></label>
      <small class="help" data-i18n="routing.sticky_help"></small>
      <label class="nested">
        <span data-i18n="routing.sticky_window"></span>
        <input type="number" name="sticky_window_minutes" min="1" max="43200" required inputmode="numeric" class="short" data-testid="settings-sticky-window">
      </label>
    </div>
    <label>
      <span data-i18n="routing.inactivity"></span>
      <input type="number" name="inactivity_timeout_minutes" min="0" max="10080" required inputmode="numeric" class="short" data-testid="settings-inactivity">
      <small class="help" data-i18n="routing.inactivity_help"></small>
    </label>
    <label>
      <span data-i18n="routing.auto_offline"></span>
      <input type="number" name="auto_offline_minutes" min="1" max="1440" required inputmode="numeric" class="short" data-testid="settings-auto-offline">
      <small class="help" data-i18n="routing.auto_offline_help"></small>
    </label>
    <p class="form-error" role="alert" data-ref="routing-error" data-testid="routing-error"></p>
    <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="routing-save"></button>
  </fieldset>
</form>`);

  build() {
    const form = this.ref('routing');
    this.onSubmit(form, () => this.#save());
    form.elements.sticky.addEventListener('change', () => this.#stickyChanged());
  }

  fill(ws) {
    const s = ws.settings;
    const f = this.ref('routing').elements;
    f.assignment_mode.value = s.assignment_mode;
    f.default_capacity.value = s.default_capacity;
    f.sticky.checked = s.sticky;
    f.sticky_window_minutes.value = s.sticky_window_minutes;
    f.inactivity_timeout_minutes.value = s.inactivity_timeout_minutes;
    f.auto_offline_minutes.value = s.auto_offline_minutes;
    this.#stickyChanged();
  }

  #stickyChanged() {
    const f = this.ref('routing').elements;
    f.sticky_window_minutes.closest('label').classList.toggle('dim', !f.sticky.checked);
  }

  async #save() {
    const f = this.ref('routing').elements;
    const settings = {
      assignment_mode: f.assignment_mode.value,
      default_capacity: Number(f.default_capacity.value),
      sticky: f.sticky.checked,
      sticky_window_minutes: Number(f.sticky_window_minutes.value),
      inactivity_timeout_minutes: Number(f.inactivity_timeout_minutes.value),
      auto_offline_minutes: Number(f.auto_offline_minutes.value),
    };
    await this.patch({ settings }, f.save, this.ref('routing-error'), (ws) => {
      this.fill(ws);
      toast(t('settings.saved'));
    });
  }
}

customElements.define('sodam-settings-routing', RoutingCard);
