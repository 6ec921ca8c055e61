// How the console names a customer: the name the profile gives (the
// nickname, else the name), else a friendly generated one for an
// anonymous visitor, "방문자 4821" / "Visitor 4821". The number and the
// avatar's colour come from the conversation's identifier, so every view
// (list, header, messages) agrees and a reload keeps them; the identifier
// itself stays in the details panel.
import { h } from '../shared/dom.js';
import { t } from './i18n.js';

// hash is 32-bit FNV-1a over the identifier's UTF-16 code units (the
// identifiers are ASCII, so the same as over its bytes).
function hash(s) {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

// visitorNumber is 1000–9999, derived from the identifier.
export const visitorNumber = (identifier) => 1000 + (hash(identifier ?? '') % 9000);

// avatarHue is the avatar's hue, 0–359, derived from the identifier
// (from other bits than the number).
export const avatarHue = (identifier) => (hash(identifier ?? '') >>> 16) % 360;

// customerName is what the console calls a conversation's customer.
export function customerName(c) {
  if (!c) return '';
  return c.customer_name || t('visitor.name', { n: visitorNumber(c.identifier) });
}

// customerAvatar is a round badge in the customer's colour with the first
// letter of their name (of "방문자"/"Visitor" for anonymous visitors).
export function customerAvatar(c) {
  const hue = avatarHue(c?.identifier);
  return h('span', {
    class: 'customer-avatar', 'aria-hidden': 'true', style: `--hue: ${hue}`,
    dataset: { testid: 'customer-avatar', hue },
  }, [...customerName(c)][0] ?? '');
}
