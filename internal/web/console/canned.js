// bindCanned adds canned responses (자주 쓰는 문구) to the console's
// composer: "#" at the start of a word opens a list of the responses
// matching what follows it, searched on the server (title and body, 초성
// included) with the variables filled for the open conversation. Up and
// Down choose, Enter or a click puts the chosen text in place of "#query",
// Escape closes the list until the next "#". Enter typed before the list
// came waits for it: it sends the text as typed only if nothing matches.
// Keys an input method is composing with are left alone, so finishing a
// Korean syllable never picks a response.
import { h } from '../shared/dom.js';
import { locale, t } from './i18n.js';

const debounce = 150;
const maxQuery = 40;

// bindCanned wires the form's textarea; search(query) resolves to the
// matching responses ([{id, title, text, favourite, shared}]). It returns
// close(), for when the composer is reused for another conversation.
//
// opts makes the same list for another trigger: the FAQ's "?" (faqpick.js)
// passes its character, its names and how an item shows.
export function bindCanned(form, search, opts = {}) {
  const mark = opts.mark ?? '#';
  const name = opts.name ?? 'canned';
  const render = opts.render ?? ((c) => [
    h('span', { class: 'canned-title' },
      c.favourite && h('span', { class: 'canned-star', title: t('canned.favourite'), 'aria-label': t('canned.favourite') }, '★'),
      c.title,
      h('small', { class: 'note' }, t(c.shared ? 'canned.shared' : 'canned.personal'))),
    h('span', { class: 'canned-text' }, c.text)]);
  const input = form.elements.body;
  const list = h('ul', { class: 'canned-list', id: `${name}-list`, role: 'listbox', hidden: true, dataset: { testid: `${name}-list` } });
  form.append(list);
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');

  let items = [];
  let active = 0;
  let timer = 0;
  let asked = 0; // numbers the searches, so a slow answer cannot win
  let dismissed = -1; // where the "#" closed with Escape stands
  let inserting = false;
  let pending = null; // the "#query" a search is due or under way for
  let sendOnNone = false; // Enter came before the list: send if it is empty

  // trigger finds "#query" ending at the caret: the "#" starts the text
  // or follows a space, and the query is short and on one line.
  const trigger = () => {
    if (input.selectionStart !== input.selectionEnd) return null;
    const before = input.value.slice(0, input.selectionStart);
    const at = before.lastIndexOf(mark);
    if (at < 0 || (at > 0 && !/\s/.test(before[at - 1]))) return null;
    const query = before.slice(at + 1);
    if (query.length > maxQuery || query.includes('\n')) return null;
    return { start: at, end: before.length, query };
  };

  const close = () => {
    clearTimeout(timer);
    pending = null;
    asked++;
    items = [];
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };

  const highlight = () => {
    for (const [i, li] of [...list.querySelectorAll('[role=option]')].entries()) {
      li.setAttribute('aria-selected', String(i === active));
      if (i === active) {
        li.scrollIntoView({ block: 'nearest' });
        input.setAttribute('aria-activedescendant', li.id);
      }
    }
  };

  const show = (found, results, error) => {
    items = results;
    active = 0;
    // A query with a space that matches nothing is most likely a message
    // mentioning "#", not a search: say nothing.
    if (!items.length && !error && /\s/.test(found.query)) return close();
    list.setAttribute('aria-label', t(`${name}.list`));
    list.replaceChildren(...(items.length
      ? items.map((c, i) => h('li', {
        id: `${name}-option-${c.id}`, role: 'option', class: 'canned-option',
        dataset: { testid: `${name}-option`, [`${name}Id`]: c.id },
        onmousedown: (e) => e.preventDefault(), // keep the focus in the composer
        onclick: () => pick(i),
      }, ...render(c)))
      : [h('li', { class: 'canned-none', role: 'presentation', dataset: { testid: `${name}-none` } },
        // Nothing for the mark alone is no match for “”: there is nothing
        // yet (no canned response written), or nothing asked (the FAQ).
        error ? locale.errorText(error) : found.query ? t(`${name}.none`, { query: found.query }) : t(`${name}.none_yet`))]));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight();
  };

  const lookup = async (found) => {
    const mine = ++asked;
    const send = sendOnNone;
    sendOnNone = false;
    let results = [];
    let error = null;
    try {
      results = await search(found.query.trim());
    } catch (err) {
      error = err;
    }
    // Show the answer only if it is still for what the composer says.
    const now = trigger();
    if (mine !== asked || !now || now.start !== found.start || now.query !== found.query) return;
    pending = null;
    // Enter pressed before the list came sends the text as typed when
    // nothing matches ("#12345", an order number), and otherwise shows
    // the list: the customer never gets "#환불" meant as a search.
    if (send && !error && !results.length) {
      close();
      form.requestSubmit();
      return;
    }
    show(now, results, error);
  };

  const update = () => {
    if (inserting) return;
    const found = trigger();
    if (!found || found.start === dismissed) {
      if (!found) dismissed = -1;
      return close();
    }
    clearTimeout(timer);
    pending = found;
    timer = setTimeout(() => lookup(found), debounce);
  };

  // pick puts the chosen response's text where "#query" was, and tells the
  // composer's other listeners (typing, drafts) the text changed.
  const pick = (i) => {
    const c = items[i];
    const found = trigger();
    close();
    if (!c || !found) return;
    input.focus();
    input.setRangeText(c.text, found.start, found.end, 'end');
    inserting = true;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    inserting = false;
  };

  input.addEventListener('input', update);
  input.addEventListener('blur', close);
  // Sending empties the composer without an input event: a new "#" where
  // the dismissed one stood opens the list again.
  form.addEventListener('submit', () => {
    dismissed = -1;
  }, true);
  // Captured on the form, so the list's keys are handled before the
  // composer's own Enter-sends listener on the textarea sees them.
  form.addEventListener('keydown', (e) => {
    if (e.target !== input || e.isComposing || e.keyCode === 229) return;
    if (list.hidden) {
      // Enter typed faster than the search answers: wait for its answer
      // (at once, without the debounce) rather than send "#query".
      const now = trigger();
      if (e.key !== 'Enter' || e.shiftKey || !pending || !now || now.start !== pending.start || now.query !== pending.query) return;
      e.preventDefault();
      e.stopPropagation();
      clearTimeout(timer);
      sendOnNone = true;
      lookup(pending);
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (!items.length) return;
        active = (active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
        highlight();
        break;
      case 'Enter':
        if (e.shiftKey) return;
        if (!items.length) {
          close(); // nothing to pick: Enter sends as usual
          return;
        }
        pick(active);
        break;
      case 'Escape':
        dismissed = trigger()?.start ?? -1;
        close();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }, true);
  return {
    close() {
      dismissed = -1;
      close();
    },
  };
}
