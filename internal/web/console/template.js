// Markup that lives with its module: a screen or a card keeps its static
// HTML in a template beside its code and stamps a copy into its custom
// element when the element is first connected; index.html keeps only the
// frame. Templates hold fixed markup only: whatever people type is set as
// text later, never parsed (dom.js's h).
import { locale } from './i18n.js';

// template parses markup once, when the module loads.
export function template(markup) {
  const tpl = document.createElement('template');
  tpl.innerHTML = markup.trim();
  return tpl;
}

// stamp fills host with a copy of tpl, translated into the current
// language (data-i18n and data-i18n-attr, as in index.html).
export function stamp(host, tpl) {
  host.replaceChildren(document.importNode(tpl.content, true));
  locale.apply(host);
}
