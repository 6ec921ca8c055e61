// Resizable panes. Each splitter (role=separator, data-pane=NAME) sets the
// width of the pane marked data-pane-name=NAME, by dragging or with the
// arrow keys; widths are CSS variables (--NAME-width) remembered across
// visits.
import { storage } from '../shared/dom.js';

const key = 'sodam.panes';
const limits = { list: [240, 560], details: [240, 520] };

export function initPanes(root) {
  const widths = readWidths();
  for (const splitter of root.querySelectorAll('[role=separator][data-pane]')) {
    const name = splitter.dataset.pane;
    const pane = root.querySelector(`[data-pane-name=${name}]`);
    const [min, max] = limits[name];
    // The list grows to the right of its left edge; the details panel to
    // the left of its right edge.
    const grows = name === 'list' ? 1 : -1;
    const set = (width) => {
      widths[name] = Math.round(Math.min(max, Math.max(min, width)));
      root.style.setProperty(`--${name}-width`, widths[name] + 'px');
      splitter.setAttribute('aria-valuenow', widths[name]);
    };
    const save = () => storage.set(key, JSON.stringify(widths));
    splitter.setAttribute('aria-valuemin', min);
    splitter.setAttribute('aria-valuemax', max);
    if (widths[name]) set(widths[name]);

    splitter.addEventListener('pointerdown', (e) => {
      splitter.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    splitter.addEventListener('pointermove', (e) => {
      if (!splitter.hasPointerCapture(e.pointerId)) return;
      const rect = pane.getBoundingClientRect();
      set(grows > 0 ? e.clientX - rect.left : rect.right - e.clientX);
    });
    splitter.addEventListener('lostpointercapture', save);
    splitter.addEventListener('keydown', (e) => {
      const step = { ArrowLeft: -16, ArrowRight: 16 }[e.key];
      if (!step) return;
      e.preventDefault();
      set(pane.getBoundingClientRect().width + step * grows);
      save();
    });
  }
}

function readWidths() {
  try {
    return JSON.parse(storage.get(key)) ?? {};
  } catch {
    return {};
  }
}
