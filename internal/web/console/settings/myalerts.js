// <sodam-settings-my-alerts> is an agent's own email alerts (§10.2): which
// alerts to receive at their login address, and quiet hours in the
// workspace's time zone, when none are sent; how long a chat waits before
// its waiting alert. Every member may set theirs.
// Only here: a mention of them in an internal note (§2.7). The emails are
// in the agent's own console language (PATCH /api/v1/me). Without the
// server's SMTP the card says they cannot be sent (smtp_configured), and
// the server refuses to turn them on.
import { formError, locale, t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { alertTypes } from './alerts.js';
import { SettingsCard } from './card.js';
import { eventChecks } from './endpoints.js';

const minutes = (v) => {
  const [hh, mm] = v.split(':').map(Number);
  return hh * 60 + mm;
};
const clock = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

class MyAlertsCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="my_alerts.heading"></h2>
<p class="help" data-i18n="my_alerts.help"></p>
<p class="notice" data-ref="no-smtp" data-i18n="my_alerts.no_smtp" data-testid="my-alerts-no-smtp" hidden></p>
<form class="endpoint-form" data-ref="form" data-testid="my-alerts-form" novalidate>
  <fieldset class="endpoint-events">
    <legend data-i18n="my_alerts.events"></legend>
    <div class="checks" data-ref="events"></div>
  </fieldset>
  <label>
    <span data-i18n="alert_targets.wait"></span>
    <input name="wait" type="number" min="1" max="1440" value="5" class="short" data-testid="my-alerts-wait">
  </label>
  <label class="check"><input type="checkbox" name="quiet" data-testid="my-alerts-quiet"><span data-i18n="my_alerts.quiet"></span></label>
  <div class="quiet-hours">
    <label><span data-i18n="my_alerts.from"></span><input type="time" name="from" value="22:00" data-testid="my-alerts-from"></label>
    <label><span data-i18n="my_alerts.to"></span><input type="time" name="to" value="08:00" data-testid="my-alerts-to"></label>
  </div>
  <p class="form-error" role="alert" data-ref="error" data-testid="my-alerts-error"></p>
  <button type="submit" name="submit" class="primary" data-i18n="settings.save" data-testid="my-alerts-save"></button>
</form>`);

  build() {
    this.ref('events').replaceChildren(...eventChecks('my-alert', [...alertTypes, 'note.mentioned'], []));
    this.onSubmit(this.ref('form'), () => this.#save());
  }

  get editable() {
    return true;
  }

  async load() {
    try {
      this.#fill(await this.inbox.request('GET', '/me/alerts'));
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  #fill(a) {
    this.ref('no-smtp').hidden = a.smtp_configured !== false;
    const f = this.ref('form').elements;
    for (const box of this.ref('form').querySelectorAll('[name=my-alert]')) box.checked = (a.events ?? []).includes(box.value);
    f.wait.value = a.wait_minutes || 5;
    f.quiet.checked = a.quiet_start >= 0;
    if (a.quiet_start >= 0) {
      f.from.value = clock(a.quiet_start);
      f.to.value = clock(a.quiet_end);
    }
  }

  async #save() {
    const form = this.ref('form');
    const f = form.elements;
    const box = this.ref('error');
    box.replaceChildren();
    // A time field cleared would be sent as 00:00.
    if (f.quiet.checked && (!f.from.value || !f.to.value)) {
      box.textContent = t('my_alerts.quiet_times');
      return;
    }
    const events = [...form.querySelectorAll('[name=my-alert]:checked')].map((c) => c.value);
    const body = {
      events,
      quiet_start: f.quiet.checked ? minutes(f.from.value) : -1,
      quiet_end: f.quiet.checked ? minutes(f.to.value) : -1,
    };
    // PUT replaces: the wait is sent, or the server's default replaces it.
    if (events.includes('conversation.waiting')) body.wait_minutes = Number(f.wait.value) || 5;
    f.submit.disabled = true;
    try {
      this.#fill(await this.inbox.request('PUT', '/me/alerts', body));
      toast(t('my_alerts.saved'));
    } catch (err) {
      formError(box, err);
    } finally {
      f.submit.disabled = false;
    }
  }
}

customElements.define('sodam-settings-my-alerts', MyAlertsCard);
