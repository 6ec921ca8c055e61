// <sodam-settings-pii> is personal information (§11): off, suggest or
// mask automatically, which kinds, and who may see or restore originals.
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

const kinds = ['rrn', 'foreigner_rn', 'phone', 'card', 'account', 'passport', 'driver_license', 'email'];

class PIICard extends SettingsCard {
  static markup = template(`
<form class="card" data-ref="pii" data-testid="pii-form">
  <h2 data-i18n="pii_settings.heading"></h2>
  <p class="help" data-i18n="pii_settings.help"></p>
  <p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
  <fieldset data-gated>
    <fieldset class="choices">
      <legend data-i18n="pii_settings.mode"></legend>
      <label class="choice"><input type="radio" name="mode" value="off" data-testid="pii-mode-off"><span><strong data-i18n="pii_settings.off"></strong><small class="help" data-i18n="pii_settings.off_help"></small></span></label>
      <label class="choice"><input type="radio" name="mode" value="suggest" data-testid="pii-mode-suggest"><span><strong data-i18n="pii_settings.suggest"></strong><small class="help" data-i18n="pii_settings.suggest_help"></small></span></label>
      <label class="choice"><input type="radio" name="mode" value="auto" data-testid="pii-mode-auto"><span><strong data-i18n="pii_settings.auto"></strong><small class="help" data-i18n="pii_settings.auto_help"></small></span></label>
    </fieldset>
    <fieldset class="group" data-testid="pii-kinds">
      <legend data-i18n="pii_settings.kinds"></legend>
      <label class="check"><input type="checkbox" name="kind" value="rrn"><span data-i18n="pii.kind.rrn"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="foreigner_rn"><span data-i18n="pii.kind.foreigner_rn"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="phone"><span data-i18n="pii.kind.phone"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="card"><span data-i18n="pii.kind.card"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="account"><span data-i18n="pii.kind.account"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="passport"><span data-i18n="pii.kind.passport"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="driver_license"><span data-i18n="pii.kind.driver_license"></span></label>
      <label class="check"><input type="checkbox" name="kind" value="email"><span data-i18n="pii.kind.email"></span></label>
    </fieldset>
    <label>
      <span data-i18n="pii_settings.view_role"></span>
      <select name="view_role" data-testid="pii-view-role">
        <option value="agent" data-i18n="role.agent"></option>
        <option value="manager" data-i18n="role.manager"></option>
        <option value="master" data-i18n="role.master"></option>
      </select>
    </label>
    <label>
      <span data-i18n="pii_settings.restore_role"></span>
      <select name="restore_role" data-testid="pii-restore-role">
        <option value="agent" data-i18n="role.agent"></option>
        <option value="manager" data-i18n="role.manager"></option>
        <option value="master" data-i18n="role.master"></option>
      </select>
    </label>
    <p class="help" data-ref="roles-note" data-i18n="pii_settings.roles_master" data-testid="pii-roles-master" hidden></p>
    <p class="form-error" role="alert" data-ref="pii-error" data-testid="pii-error"></p>
    <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="pii-save"></button>
  </fieldset>
</form>`);

  build() {
    this.onSubmit(this.ref('pii'), () => this.#save());
  }

  // The two roles are a master's to change (the server refuses a
  // manager's change): a manager sees them, unchangeable, and why.
  gate() {
    super.gate();
    const master = Boolean(this.inbox?.isMaster);
    const f = this.ref('pii').elements;
    f.view_role.disabled = !master;
    f.restore_role.disabled = !master;
    this.ref('roles-note').hidden = master || !this.editable;
  }

  fill(ws) {
    const p = ws.settings.pii ?? { mode: 'suggest', view_role: 'manager', restore_role: 'manager' };
    const f = this.ref('pii').elements;
    f.mode.value = p.mode;
    const chosen = new Set(p.kinds?.length ? p.kinds : kinds);
    for (const box of this.querySelectorAll('input[name=kind]')) box.checked = chosen.has(box.value);
    f.view_role.value = p.view_role;
    f.restore_role.value = p.restore_role;
  }

  async #save() {
    const f = this.ref('pii').elements;
    const chosen = [...this.querySelectorAll('input[name=kind]:checked')].map((box) => box.value);
    const pii = { mode: f.mode.value, view_role: f.view_role.value, restore_role: f.restore_role.value };
    // None would read as every kind: off is the way to detect nothing.
    if (!chosen.length && pii.mode !== 'off') {
      this.ref('pii-error').textContent = t('pii_settings.no_kinds');
      return;
    }
    // Every kind is the default: send none rather than the whole list.
    if (chosen.length < kinds.length) pii.kinds = chosen;
    await this.patch({ settings: { pii } }, f.save, this.ref('pii-error'), () => toast(t('settings.saved')));
  }
}

customElements.define('sodam-settings-pii', PIICard);
