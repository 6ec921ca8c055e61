// bindFAQ adds the FAQ to the console's composer (§5.2): "?" at the start
// of a word searches the FAQ with the same Korean-aware search as the
// widget and the robot, and Enter or a click inserts the article's text
// version with its help center link. It is canned.js's list with another
// trigger: keyboard-driven, and keys an input method is composing with are
// left alone.
import { h } from '../shared/dom.js';
import { bindCanned } from './canned.js';

// bindFAQ wires the form's textarea; request(method, path) is the
// workspace's API.
export function bindFAQ(form, request) {
  return bindCanned(form, async (q) => {
    if (!q) return [];
    const res = await request('GET', '/faq/search?' + new URLSearchParams({ q }));
    return res.articles.map((a) => ({ id: a.id, title: a.title, text: `${a.text}\n${a.url}`, excerpt: a.text }));
  }, {
    mark: '?',
    name: 'faq',
    render: (a) => [h('span', { class: 'canned-title' }, a.title), h('span', { class: 'canned-text' }, a.excerpt)],
  });
}
