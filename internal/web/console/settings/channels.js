// <sodam-settings-channels> is the workspace's API channels (§1.2): a
// KakaoTalk, Naver TalkTalk, Telegram or other bridge posts its users'
// messages with the channel's token and receives agents' replies at its
// URL, signed with the channel's secret. Both are shown once.
import { h } from '../../shared/dom.js';
import { label, t } from '../i18n.js';
import { template } from '../template.js';
import { EndpointsCard } from './endpoints.js';

class ChannelsCard extends EndpointsCard {
  static resource = 'channels';
  static listKey = 'channels';
  static prefix = 'channel';
  static markup = template(`
<h2 data-i18n="channels.heading"></h2>
<p class="help" data-i18n="channels.help"></p>
<form class="endpoint-form" data-ref="form" data-testid="channel-form" novalidate>
  <label>
    <span data-i18n="channels.kind"></span>
    <select name="kind" class="medium" data-testid="channel-kind">
      <option value="kakao" data-i18n="channel.kakao"></option>
      <option value="naver" data-i18n="channel.naver"></option>
      <option value="telegram" data-i18n="channel.telegram"></option>
      <option value="api" data-i18n="channel.api"></option>
    </select>
  </label>
  <label>
    <span data-i18n="channels.name"></span>
    <input name="name" required maxlength="100" autocomplete="off" class="medium" data-i18n-attr="placeholder:channels.name_example" data-testid="channel-name">
  </label>
  <label>
    <span data-i18n="channels.url"></span>
    <input name="url" type="url" required maxlength="2048" autocomplete="off" spellcheck="false" placeholder="https://bridge.example.com/sodam" data-testid="channel-url">
    <small class="help" data-i18n="channels.url_help"></small>
  </label>
  <p class="form-error" role="alert" data-ref="error" data-testid="channel-error"></p>
  <button type="submit" name="submit" class="primary" data-i18n="channels.create" data-testid="channel-create"></button>
</form>
<div class="token-secret" role="status" data-ref="secret-box" data-testid="channel-secret-box" hidden>
  <p><strong data-i18n="endpoints.secret_once"></strong></p>
  <div data-ref="secrets"></div>
  <p class="help" data-i18n="channels.usage"></p>
  <button type="button" class="secondary" data-ref="done" data-i18n="team.done" data-testid="channel-secret-done"></button>
</div>
<div class="table-wrap">
  <table class="table endpoint-table" data-testid="channel-table">
    <thead><tr>
      <th scope="col" data-i18n="channels.name"></th>
      <th scope="col" data-i18n="channels.kind"></th>
      <th scope="col" data-i18n="channels.url"></th>
      <th scope="col"><span class="sr-only" data-i18n="team.actions"></span></th>
    </tr></thead>
    <tbody data-ref="rows"></tbody>
  </table>
</div>
<p class="help" data-ref="empty" data-i18n="channels.empty" data-testid="channel-empty" hidden></p>`);

  name(row) {
    return row.name;
  }

  body(form, box) {
    const f = form.elements;
    const name = f.name.value.trim();
    const url = f.url.value.trim();
    if (!name) {
      box.textContent = t('channels.name_required');
      f.name.focus();
      return null;
    }
    if (!url) {
      box.textContent = t('endpoints.url_required');
      f.url.focus();
      return null;
    }
    return { kind: f.kind.value, name, webhook_url: url };
  }

  cells(row) {
    return [
      h('td', { dataset: { label: t('channels.kind') } }, h('span', { class: 'chip channel-chip', dataset: { channel: row.kind } }, label('channel.', row.kind))),
      h('td', { class: 'endpoint-url', dataset: { label: t('channels.url') } }, row.webhook_url),
    ];
  }

  secrets(created) {
    return [[t('channels.token'), created.token, 'channel-token'], [t('endpoints.secret'), created.secret, 'channel-secret']];
  }
}

customElements.define('sodam-settings-channels', ChannelsCard);
