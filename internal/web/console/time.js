// <sodam-time datetime="…"> shows how long ago a moment was ("3분 전") with
// the exact time in its title, and keeps itself current. With
// mode="waiting" it shows how long someone has waited since then
// ("12분 대기").
import { h } from '../shared/dom.js';
import { dateTime, exactTime, locale, relativeTime, t, waitingTime } from './i18n.js';

// moment is a <time> showing iso to the minute, with the exact time and
// its zone on hover: how the details and a past chat's facts show when
// something happened.
export function moment(iso) {
  const date = new Date(iso);
  return h('time', { datetime: iso, title: exactTime(date) }, dateTime(date));
}

const shown = new Set();

class SodamTime extends HTMLElement {
  static observedAttributes = ['datetime', 'mode'];

  connectedCallback() {
    shown.add(this);
    this.render();
  }

  disconnectedCallback() {
    shown.delete(this);
  }

  attributeChangedCallback() {
    if (this.isConnected) this.render();
  }

  render() {
    const date = new Date(this.getAttribute('datetime'));
    const valid = !Number.isNaN(date.getTime());
    const waiting = this.getAttribute('mode') === 'waiting';
    this.textContent = !valid ? '' : waiting ? t('list.waiting', { time: waitingTime(Date.now() - date.getTime()) }) : relativeTime(date);
    this.title = valid ? exactTime(date) : '';
  }
}

customElements.define('sodam-time', SodamTime);

const renderAll = () => shown.forEach((el) => el.render());
setInterval(renderAll, 30 * 1000);
locale.addEventListener('change', renderAll);
