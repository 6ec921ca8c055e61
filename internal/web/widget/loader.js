// Sodam chat widget loader, served at /widget.js. It draws a launcher
// button at the bottom right of the host page and opens the chat in an
// iframe served by Sodam, so the host page's CSS and scripts cannot break
// the chat. The page may set window.SodamSettings before this script:
// { siteUid, siteUidSig, language, extra: { cus_extra_username: "…" } }.
(() => {
  const script = document.currentScript;
  if (!script || document.getElementById('sodam-launcher')) return;
  const base = new URL(script.src).origin;
  const siteID = script.dataset.siteId || '';
  const settings = { ...window.SodamSettings, origin: location.origin };
  const ko = /^ko/i.test(settings.language || navigator.language || '');
  const label = ko ? ['채팅 상담 열기', '채팅 상담 닫기'] : ['Open chat', 'Close chat'];
  const color = '#1d6b58';

  const style = document.createElement('style');
  style.id = 'sodam-style';
  style.textContent = `
#sodam-launcher{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483646;box-sizing:border-box;width:56px;height:56px;border-radius:50%;background:${color};color:#fff;display:grid;place-items:center;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.24)}
#sodam-launcher:focus-visible{outline:3px solid ${color};outline-offset:3px}
#sodam-launcher svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
#sodam-launcher[aria-expanded=true] .sodam-open,#sodam-launcher[aria-expanded=false] .sodam-close{display:none}
#sodam-frame{all:initial;display:block;position:fixed;right:20px;bottom:88px;z-index:2147483647;width:380px;height:600px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);border:0;border-radius:16px;background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.24)}
#sodam-frame[hidden]{display:none}
@media (max-width:480px){#sodam-frame{inset:0;width:100%;height:100%;max-width:none;max-height:none;border-radius:0}}`;

  // Icons are built node by node: a host page that enforces Trusted Types
  // refuses innerHTML.
  const icon = (name, d) => {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const path = document.createElementNS(ns, 'path');
    svg.setAttribute('class', name);
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    path.setAttribute('d', d);
    svg.append(path);
    return svg;
  };
  const button = document.createElement('button');
  button.id = 'sodam-launcher';
  button.type = 'button';
  button.append(
    icon('sodam-open', 'M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1 1 21 12z'),
    icon('sodam-close', 'M6 6l12 12M18 6L6 18'),
  );
  let frame = null;

  function toggle(open) {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.id = 'sodam-frame';
      frame.title = label[0];
      frame.src = `${base}/widget/frame?site_id=${encodeURIComponent(siteID)}#${encodeURIComponent(JSON.stringify(settings))}`;
      document.body.append(frame);
    }
    if (frame) frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', label[open ? 1 : 0]);
    if (open) frame.focus();
  }

  button.addEventListener('click', () => toggle(!frame || frame.hidden));
  // The chat's own close button (the only one reachable when the chat
  // fills a phone's screen) asks the page to hide it.
  addEventListener('message', (e) => {
    if (frame && e.source === frame.contentWindow && e.origin === base && e.data?.sodam === 'close') {
      toggle(false);
      button.focus();
    }
  });

  const mount = () => {
    document.head.append(style);
    document.body.append(button);
    toggle(false);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
