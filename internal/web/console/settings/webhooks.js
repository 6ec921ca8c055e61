// <sodam-settings-webhooks> is the workspace's webhooks (§10.3), for
// masters: a URL and the event types to send; the signing secret is shown
// once. Each webhook's deliveries open in a dialog (endpoints.js).
import { h } from '../../shared/dom.js';
import { t } from '../i18n.js';
import { template } from '../template.js';
import { checked, EndpointsCard, eventChecks, eventsText } from './endpoints.js';

const events = ['conversation.created', 'conversation.assigned', 'conversation.transferred', 'conversation.updated', 'conversation.closed',
  'conversation.read', 'message.created', 'message.updated', 'agent.status', 'ticket.created', 'ticket.updated', 'ticket.replied',
  'workspace.updated', 'customer.updated'];

class WebhooksCard extends EndpointsCard {
  static resource = 'webhooks';
  static listKey = 'webhooks';
  static prefix = 'webhook';
  static markup = template(`
<h2 data-i18n="webhooks.heading"></h2>
<p class="help" data-i18n="webhooks.help"></p>
<form class="endpoint-form" data-ref="form" data-testid="webhook-form" novalidate>
  <label>
    <span data-i18n="webhooks.url"></span>
    <input name="url" type="url" required maxlength="2048" autocomplete="off" spellcheck="false" placeholder="https://example.com/sodam-webhook" data-testid="webhook-url">
  </label>
  <fieldset class="endpoint-events">
    <legend data-i18n="webhooks.events"></legend>
    <div class="checks" data-ref="events"></div>
  </fieldset>
  <p class="form-error" role="alert" data-ref="error" data-testid="webhook-error"></p>
  <button type="submit" name="submit" class="primary" data-i18n="webhooks.create" data-testid="webhook-create"></button>
</form>
<div class="token-secret" role="status" data-ref="secret-box" data-testid="webhook-secret-box" hidden>
  <p><strong data-i18n="endpoints.secret_once"></strong></p>
  <div data-ref="secrets"></div>
  <p class="help" data-i18n="webhooks.verify_help"></p>
  <button type="button" class="secondary" data-ref="done" data-i18n="team.done" data-testid="webhook-secret-done"></button>
</div>
<div class="table-wrap">
  <table class="table endpoint-table" data-testid="webhook-table">
    <thead><tr>
      <th scope="col" data-i18n="webhooks.url"></th>
      <th scope="col" data-i18n="webhooks.events"></th>
      <th scope="col" data-i18n="tokens.created"></th>
      <th scope="col"><span class="sr-only" data-i18n="team.actions"></span></th>
    </tr></thead>
    <tbody data-ref="rows"></tbody>
  </table>
</div>
<p class="help" data-ref="empty" data-i18n="webhooks.empty" data-testid="webhook-empty" hidden></p>`);

  build() {
    super.build();
    this.ref('events').replaceChildren(...eventChecks('event', events, ['conversation.created', 'message.created'], true));
  }

  body(form, box) {
    const url = form.elements.url.value.trim();
    const chosen = checked(form, 'event');
    if (!url) {
      box.textContent = t('endpoints.url_required');
      form.elements.url.focus();
      return null;
    }
    if (!chosen.length) {
      box.textContent = t('endpoints.events_required');
      return null;
    }
    return { url, events: chosen };
  }

  cells(row) {
    return [
      h('td', { dataset: { label: t('webhooks.events') } }, eventsText(row.events)),
      h('td', { dataset: { label: t('tokens.created') } }, h('sodam-time', { datetime: row.created_at })),
    ];
  }

  secrets(created) {
    return [[t('endpoints.secret'), created.secret, 'webhook-secret']];
  }
}

customElements.define('sodam-settings-webhooks', WebhooksCard);
