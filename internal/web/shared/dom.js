// Small DOM helpers shared by the widget and the console.

// h builds an element. Children that are strings or numbers become text
// nodes, so nothing a person typed is ever parsed as HTML. Props: "class",
// "dataset" (an object), "on<event>" handlers, and plain attributes (true
// sets an empty attribute; null, undefined and false are skipped).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

// stars writes a 1–5 rating as five stars, filled up to the score.
export function stars(score) {
  const n = Math.max(0, Math.min(5, Math.round(Number(score) || 0)));
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

// storage wraps localStorage, which throws in some browsers when a
// third-party iframe may not use it; the page then keeps values in memory.
export const storage = (() => {
  const memory = new Map();
  return {
    get(key) {
      try { return localStorage.getItem(key); } catch { return memory.get(key) ?? null; }
    },
    set(key, value) {
      try { localStorage.setItem(key, value); } catch { memory.set(key, value); }
    },
    remove(key) {
      try { localStorage.removeItem(key); } catch { memory.delete(key); }
    },
  };
})();
