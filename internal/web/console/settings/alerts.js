// <sodam-settings-alerts> is where the workspace's alerts go (§10.2), for
// masters: Slack-compatible or Jandi incoming webhooks and email
// addresses, each with the alerts it wants — a new chat, a chat waiting
// unassigned longer than N minutes, a left message, an assignment to an
// agent who is away. Email needs the server's SMTP: without it the card
// says so (smtp_configured), and the server refuses an email target.
import { h } from '../../shared/dom.js';
import { label, t } from '../i18n.js';
import { template } from '../template.js';
import { checked, EndpointsCard, eventChecks, eventsText } from './endpoints.js';

export const alertTypes = ['conversation.created', 'conversation.waiting', 'ticket.created', 'conversation.assigned_away'];


class AlertsCard extends EndpointsCard {
  static resource = 'alert-targets';
  static listKey = 'alert_targets';
  static prefix = 'alert';
  static markup = template(`
<h2 data-i18n="alert_targets.heading"></h2>
<p class="help" data-i18n="alert_targets.help"></p>
<form class="endpoint-form" data-ref="form" data-testid="alert-form" novalidate>
  <label>
    <span data-i18n="alert_targets.kind"></span>
    <select name="kind" class="medium" data-testid="alert-kind">
      <option value="slack" data-i18n="alert_kind.slack"></option>
      <option value="jandi" data-i18n="alert_kind.jandi"></option>
      <option value="email" data-i18n="alert_kind.email"></option>
    </select>
  </label>
  <p class="notice" data-ref="no-smtp" data-i18n="alert_targets.no_smtp" data-testid="alert-no-smtp" hidden></p>
  <label>
    <span data-i18n="alert_targets.url"></span>
    <input name="url" required maxlength="2048" autocomplete="off" spellcheck="false" data-i18n-attr="placeholder:alert_targets.url_example" data-testid="alert-url">
  </label>
  <fieldset class="endpoint-events">
    <legend data-i18n="alert_targets.events"></legend>
    <div class="checks" data-ref="events"></div>
  </fieldset>
  <label>
    <span data-i18n="alert_targets.wait"></span>
    <input name="wait" type="number" min="1" max="1440" value="5" class="short" data-testid="alert-wait">
  </label>
  <p class="form-error" role="alert" data-ref="error" data-testid="alert-error"></p>
  <button type="submit" name="submit" class="primary" data-i18n="alert_targets.create" data-testid="alert-create"></button>
</form>
<div data-ref="secret-box" hidden><div data-ref="secrets"></div><button type="button" data-ref="done" hidden></button></div>
<div class="table-wrap">
  <table class="table endpoint-table" data-testid="alert-table">
    <thead><tr>
      <th scope="col" data-i18n="alert_targets.url"></th>
      <th scope="col" data-i18n="alert_targets.kind"></th>
      <th scope="col" data-i18n="alert_targets.events"></th>
      <th scope="col"><span class="sr-only" data-i18n="team.actions"></span></th>
    </tr></thead>
    <tbody data-ref="rows"></tbody>
  </table>
</div>
<p class="help" data-ref="empty" data-i18n="alert_targets.empty" data-testid="alert-empty" hidden></p>`);

  build() {
    super.build();
    this.ref('events').replaceChildren(...eventChecks('alert-event', alertTypes, ['conversation.created']));
  }

  loaded(out) {
    this.ref('no-smtp').hidden = out.smtp_configured !== false;
  }

  body(form, box) {
    const f = form.elements;
    const url = f.url.value.trim();
    const chosen = checked(form, 'alert-event');
    if (!url) {
      box.textContent = t('endpoints.url_required');
      f.url.focus();
      return null;
    }
    if (!chosen.length) {
      box.textContent = t('endpoints.events_required');
      return null;
    }
    const body = { kind: f.kind.value, url, events: chosen };
    if (chosen.includes('conversation.waiting')) body.wait_minutes = Number(f.wait.value) || 5;
    return body;
  }

  cells(row) {
    const events = eventsText(row.events);
    if (row.events?.includes('conversation.waiting')) events.append(h('small', { class: 'note' }, t('alert_targets.wait_n', { n: row.wait_minutes })));
    return [
      h('td', { dataset: { label: t('alert_targets.kind') } }, label('alert_kind.', row.kind)),
      h('td', { dataset: { label: t('alert_targets.events') } }, events),
    ];
  }
}

customElements.define('sodam-settings-alerts', AlertsCard);
