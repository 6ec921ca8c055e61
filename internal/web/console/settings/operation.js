// <sodam-settings-operation> is the switch at the top of the settings page
// that stops taking chats (operation_stopped), asked for confirmation both
// ways. It follows the workspace, which other pages and tabs may change.
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

class OperationCard extends SettingsCard {
  static markup = template(`
<div class="operation-row">
  <div class="operation-text">
    <h2 data-i18n="operation.heading"></h2>
    <p class="operation-state" data-ref="operation-state" data-testid="operation-state"></p>
    <p class="help" data-ref="operation-help"></p>
  </div>
  <button type="button" role="switch" class="switch" aria-checked="false" data-ref="operation-switch" data-i18n-attr="aria-label:operation.switch;title:operation.switch" data-testid="operation-stopped"><span class="knob"></span></button>
</div>
<div id="operation-dialog" class="dialog" popover data-ref="operation-dialog" data-testid="operation-dialog">
  <p data-ref="operation-question"></p>
  <div class="dialog-actions">
    <button type="button" class="secondary" popovertarget="operation-dialog" popovertargetaction="hide" data-i18n="conv.cancel" data-testid="operation-cancel"></button>
    <button type="button" class="danger" data-ref="operation-yes" data-testid="operation-confirm"></button>
  </div>
</div>`);

  build() {
    this.ref('operation-switch').addEventListener('click', () => this.#ask());
    this.ref('operation-yes').addEventListener('click', () => this.#toggle());
  }

  relabel() {
    this.#render();
  }

  attach(inbox) {
    super.attach(inbox);
    inbox.addEventListener('workspace', () => this.#render());
  }

  show(inbox) {
    super.show(inbox);
    this.ref('operation-switch').disabled = !this.editable;
  }

  #render() {
    const stopped = Boolean(this.inbox?.settings.operation_stopped);
    this.dataset.state = stopped ? 'stopped' : 'running';
    this.ref('operation-switch').setAttribute('aria-checked', String(stopped));
    this.ref('operation-state').textContent = t(stopped ? 'operation.stopped' : 'operation.running');
    this.ref('operation-help').textContent = t(stopped ? 'operation.help_stopped' : 'operation.help_running');
  }

  #ask() {
    const stopping = !this.inbox.settings.operation_stopped;
    this.ref('operation-question').textContent = t(stopping ? 'operation.confirm_stop' : 'operation.confirm_resume');
    const yes = this.ref('operation-yes');
    yes.textContent = t(stopping ? 'operation.stop' : 'operation.resume');
    yes.className = stopping ? 'danger' : 'primary';
    yes.dataset.stop = String(stopping);
    this.ref('operation-dialog').showPopover();
    this.ref('operation-dialog').querySelector('.secondary').focus();
  }

  async #toggle() {
    const stop = this.ref('operation-yes').dataset.stop === 'true';
    this.ref('operation-dialog').hidePopover();
    await this.patch({ settings: { operation_stopped: stop } }, this.ref('operation-switch'), null, () => {
      toast(t(stop ? 'operation.done_stop' : 'operation.done_resume'));
    });
  }
}

customElements.define('sodam-settings-operation', OperationCard);
