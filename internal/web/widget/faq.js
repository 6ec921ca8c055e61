// The FAQ inside the chat (§8, issue 12): a home of categories and
// articles, the same search as the help center and the robot, and articles
// read in the frame with "did this answer your question?". It opens from
// the header before and during a chat; "Talk to an agent" leaves it for a
// person. Article bodies are HTML the server sanitized on save; the
// frame's CSP runs no inline script either way.
import { h } from '../shared/dom.js';
import { request } from '../shared/net.js';

export class FAQPanel {
  #el;
  #siteID;
  #lang;
  #t;
  #errorText;
  #auth;
  #home = null;
  #searchTimer = 0;
  #onAgent;
  #opener = null; // the element focused when the panel opened
  // Only the latest request's answer is shown: a slow answer to an
  // earlier search (or to the home, or an article the visitor left) never
  // replaces a newer one. Each counts its area's requests.
  #listSeq = 0;
  #articleSeq = 0;

  constructor(el, { siteID, lang, t, errorText, auth, onAgent }) {
    this.#el = el;
    this.#siteID = siteID;
    this.#lang = lang;
    this.#t = t;
    this.#errorText = errorText;
    this.#auth = auth;
    this.#onAgent = onAgent;
    const form = el.querySelector('#faq-search');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#search(form.elements.q.value);
    });
    // Search as the visitor types, but never mid-syllable: an input method
    // still composing has not given its text yet.
    form.elements.q.addEventListener('input', (e) => {
      if (e.isComposing) return;
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => this.#search(form.elements.q.value), 250);
    });
    form.elements.q.addEventListener('compositionend', () => {
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => this.#search(form.elements.q.value), 250);
    });
    el.querySelector('#faq-back').addEventListener('click', () => this.#showList());
    el.querySelector('#faq-agent').addEventListener('click', () => this.#onAgent());
  }

  get open() { return !this.#el.hidden; }

  async show() {
    // What opened the panel (the FAQ button, a robot's article link) gets
    // the keyboard focus back when it closes.
    if (this.#el.hidden) this.#opener = document.activeElement;
    this.#el.hidden = false;
    this.#el.closest('.chat').dataset.faq = 'open';
    this.#showList();
    this.#el.querySelector('#faq-search').elements.q.focus();
    if (!this.#home) {
      const seq = ++this.#listSeq;
      try {
        this.#home = await request('GET', '/api/v1/widget/faq?' + new URLSearchParams({ site_id: this.#siteID, lang: this.#lang }));
      } catch {
        this.#home = { categories: [], articles: [] };
      }
      if (seq === this.#listSeq) this.#renderHome(); // else a search answered meanwhile
    }
  }

  hide() {
    const focused = this.#el.contains(document.activeElement);
    this.#el.hidden = true;
    delete this.#el.closest('.chat').dataset.faq;
    // Hidden with the focus inside, the panel would drop it to the page's
    // start: a keyboard or screen-reader user would lose their place.
    if (focused && this.#opener?.isConnected && this.#opener.checkVisibility()) this.#opener.focus();
    this.#opener = null;
  }

  #showList() {
    this.#articleSeq++; // an article still on its way is not wanted now
    this.#el.querySelector('#faq-article').hidden = true;
    this.#el.querySelector('#faq-list').hidden = false;
    this.#el.querySelector('#faq-search').hidden = false;
    this.#el.querySelector('#faq-back').hidden = true;
  }

  #item(a) {
    return h('li', {}, h('button', { type: 'button', class: 'faq-link', dataset: { articleId: a.id, testid: 'widget-faq-item' }, onclick: () => this.openArticle(a.id) },
      h('span', { class: 'faq-link-title' }, a.title), a.excerpt && h('span', { class: 'faq-link-excerpt' }, a.excerpt)));
  }

  #renderHome() {
    const list = this.#el.querySelector('#faq-list');
    const { categories = [], articles = [] } = this.#home ?? {};
    const groups = categories.map((c) => ({ name: this.#lang === 'en' && c.name_en ? c.name_en : c.name, items: articles.filter((a) => a.category_id === c.id) }));
    const known = new Set(categories.map((c) => c.id));
    groups.push({ name: this.#t('faq.other'), items: articles.filter((a) => !known.has(a.category_id)) });
    list.replaceChildren(...groups.filter((g) => g.items.length).map((g) =>
      h('section', { class: 'faq-group' }, h('h3', {}, g.name), h('ul', {}, g.items.map((a) => this.#item(a))))));
    if (!articles.length) list.replaceChildren(h('p', { class: 'faq-empty' }, this.#t('faq.empty')));
  }

  async #search(q) {
    const seq = ++this.#listSeq;
    q = q.trim();
    if (!q) {
      this.#renderHome();
      return;
    }
    const list = this.#el.querySelector('#faq-list');
    try {
      const res = await request('GET', '/api/v1/widget/faq/search?' + new URLSearchParams({ site_id: this.#siteID, lang: this.#lang, q }));
      if (seq !== this.#listSeq) return; // a newer search answers instead
      list.replaceChildren(res.articles.length
        ? h('ul', { class: 'faq-results', dataset: { testid: 'widget-faq-results' } }, res.articles.map((a) => this.#item(a)))
        : h('p', { class: 'faq-empty', dataset: { testid: 'widget-faq-none' } }, this.#t('faq.none')));
    } catch (err) {
      if (seq !== this.#listSeq) return;
      list.replaceChildren(h('p', { class: 'faq-empty', role: 'alert' }, this.#errorText(err)));
    }
  }

  // openArticle shows one article in the frame, with the question whether
  // it answered the visitor's.
  async openArticle(id) {
    if (this.#el.hidden) await this.show();
    const seq = ++this.#articleSeq;
    const box = this.#el.querySelector('#faq-article');
    let a;
    try {
      a = await request('GET', `/api/v1/widget/faq/articles/${id}?` + new URLSearchParams({ site_id: this.#siteID }));
    } catch (err) {
      if (seq === this.#articleSeq) box.replaceChildren(h('p', { role: 'alert' }, this.#errorText(err)));
      return;
    }
    if (seq !== this.#articleSeq) return; // another article was opened, or the list shown, meanwhile
    const body = h('div', { class: 'faq-body', dataset: { testid: 'widget-faq-body' } });
    body.innerHTML = a.body_html; // sanitized by the server (bluemonday) on save and when read
    for (const link of body.querySelectorAll('a[href]')) link.target = '_blank';
    box.replaceChildren(
      h('h3', { dataset: { testid: 'widget-faq-article-title' } }, a.title),
      body,
      feedback(a.id, this.#t, this.#auth),
      h('a', { class: 'faq-page', href: a.url, target: '_blank', rel: 'noopener' }, this.#t('faq.page')));
    box.hidden = false;
    this.#el.querySelector('#faq-list').hidden = true;
    this.#el.querySelector('#faq-search').hidden = true;
    this.#el.querySelector('#faq-back').hidden = false;
    box.querySelector('h3').focus?.();
  }
}

// feedback asks "did this answer your question?" and records the answer
// on the article (once per article and page).
export function feedback(articleID, t, auth) {
  const answered = new Set();
  const box = h('div', { class: 'faq-feedback', dataset: { testid: 'widget-faq-feedback' } }, h('span', {}, t('faq.helpful')));
  const answer = async (helpful) => {
    if (answered.has(articleID)) return;
    answered.add(articleID);
    box.replaceChildren(h('span', { role: 'status' }, t('faq.thanks')));
    const headers = auth();
    if (!headers) return; // no visitor session yet: nothing to record it against
    try {
      await request('POST', `/api/v1/widget/faq/articles/${articleID}/feedback`, { body: { helpful }, headers });
    } catch {
      // A lost answer is only a lost count.
    }
  };
  box.append(
    h('button', { type: 'button', class: 'secondary', dataset: { testid: 'widget-faq-yes' }, onclick: () => answer(true) }, t('faq.yes')),
    h('button', { type: 'button', class: 'secondary', dataset: { testid: 'widget-faq-no' }, onclick: () => answer(false) }, t('faq.no')));
  return box;
}
