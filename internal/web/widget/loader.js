// Sodam chat widget loader, served at /widget.js. It draws a launcher
// button in a corner of the host page (the workspace's look says which)
// and opens the chat in an iframe served by Sodam, so the host page's CSS
// and scripts cannot break the chat. The page may set window.SodamSettings
// before this script:
// { siteUid, siteUidSig, verifiedPhone, verifiedPhoneSig, language,
// extra: { cus_extra_username: "…" } }. A page in one language may say so
// on the script tag instead (data-language="en", as the help center does).
(() => {
  const script = document.currentScript;
  if (!script || document.getElementById('sodam-launcher')) return;
  const base = new URL(script.src).origin;
  const siteID = script.dataset.siteId || '';
  const settings = { ...window.SodamSettings, origin: location.origin };
  if (!settings.language && script.dataset.language) settings.language = script.dataset.language;
  const chosen = Boolean(settings.language); // the page chose the language
  let ko = /^ko/i.test(settings.language || navigator.language || '');
  let label = ko ? ['채팅 상담 열기', '채팅 상담 닫기'] : ['Open chat', 'Close chat'];
  // The look comes from the workspace's settings (GET /api/v1/widget/
  // launcher); until it arrives, and if it cannot, these defaults hold.
  const look = { allowed: true, color: '#1d6b58', position: 'right', offset_x: 20, offset_y: 20, language: '' };
  // The launcher is hidden (visibility: still laid out, out of the Tab
  // order) until it stands where it stays: the look has come or could
  // not. Shown at once, it stood at the defaults and then crossed the
  // page, on every page load, wherever the workspace puts it elsewhere.
  // A look later than lookWait shows it at the defaults all the same, so
  // that a slow answer never keeps the chat from the visitor; it moves
  // when the look comes.
  let shown = false;
  const lookWait = 1500;

  const style = document.createElement('style');
  style.id = 'sodam-style';
  const css = () => {
    const color = /^#[0-9a-f]{6}$/i.test(look.color) ? look.color : '#1d6b58';
    const side = look.position === 'left' ? 'left' : 'right';
    const x = Math.max(0, Math.min(300, Number(look.offset_x) || 0));
    const y = Math.max(0, Math.min(300, Number(look.offset_y) || 0));
    return `
#sodam-launcher{all:initial;position:fixed;${side}:${x}px;bottom:${y}px;z-index:2147483646;box-sizing:border-box;width:56px;height:56px;border-radius:50%;background:${color};color:#fff;display:grid;place-items:center;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.24);visibility:${shown ? 'visible' : 'hidden'}}
#sodam-launcher:focus-visible{outline:3px solid ${color};outline-offset:3px}
#sodam-launcher svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
#sodam-launcher[aria-expanded=true] .sodam-open,#sodam-launcher[aria-expanded=false] .sodam-close{display:none}
#sodam-badge{all:initial;visibility:inherit;position:absolute;top:-4px;${side}:-4px;box-sizing:border-box;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d93025;color:#fff;border:2px solid #fff;font:700 12px/18px system-ui,sans-serif;text-align:center}
#sodam-badge[hidden]{display:none}
#sodam-frame{all:initial;display:block;position:fixed;${side}:${x}px;bottom:${y + 68}px;z-index:2147483647;width:380px;height:600px;max-width:calc(100vw - ${2 * x}px);max-height:calc(100vh - ${y + 88}px);border:0;border-radius:16px;background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.24)}
#sodam-frame[hidden]{display:none}
#sodam-notice{all:initial;position:fixed;${side}:${x}px;bottom:${y + 68}px;z-index:2147483647;box-sizing:border-box;max-width:min(320px,calc(100vw - ${2 * x}px));padding:12px 40px 12px 14px;border-radius:12px;background:#fff;color:#2b2622;font:14px/1.5 system-ui,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;box-shadow:0 8px 28px rgba(0,0,0,.22)}
#sodam-notice[hidden]{display:none}
#sodam-notice button{all:initial;position:absolute;top:6px;right:8px;width:28px;height:28px;display:grid;place-items:center;cursor:pointer;color:#5b524a;font:20px/1 system-ui}
#sodam-notice button:focus-visible{outline:2px solid ${color}}
@media (max-width:480px){#sodam-frame{inset:0;width:100%;height:100%;max-width:none;max-height:none;border-radius:0}}`;
  };
  style.textContent = css();

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
  // The unread badge: agent replies that came while the chat was closed.
  const badge = document.createElement('span');
  badge.id = 'sodam-badge';
  badge.setAttribute('aria-hidden', 'true');
  button.append(badge);
  let unread = 0;
  let frame = null;
  let notice = null;

  function showUnread(n) {
    unread = n;
    badge.hidden = n === 0;
    badge.textContent = n > 99 ? '99+' : String(n);
    const open = frame && !frame.hidden;
    const more = n === 0 ? '' : ko ? ` (새 메시지 ${n}개)` : ` (${n} new ${n === 1 ? 'message' : 'messages'})`;
    button.setAttribute('aria-label', label[open ? 1 : 0] + more);
  }

  // A page whose origin the workspace does not allow cannot show the chat
  // (the frame refuses to be embedded there): say so in a small notice the
  // visitor can close, instead of a browser error.
  function showNotice(open) {
    if (!notice) {
      notice = document.createElement('div');
      notice.id = 'sodam-notice';
      notice.setAttribute('role', 'status');
      const text = document.createElement('span');
      text.textContent = ko
        ? '지금은 이 페이지에서 채팅 상담을 열 수 없습니다. 잠시 후 다시 시도해 주세요.'
        : 'The chat cannot open on this page right now. Please try again later.';
      const close = document.createElement('button');
      close.type = 'button';
      close.textContent = '×';
      close.setAttribute('aria-label', ko ? '알림 닫기' : 'Close notice');
      close.addEventListener('click', () => showNotice(false));
      notice.append(text, close);
      document.body.append(notice);
    }
    notice.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (!open) button.focus();
  }

  // A visitor who opened the chat in this tab once gets it loaded, hidden,
  // on the site's next pages too, so that replies that come meanwhile
  // count on the launcher (the chat says how many are unread).
  const engagedKey = 'sodam.chat.' + siteID;
  const engaged = {
    get() {
      try { return sessionStorage.getItem(engagedKey) === '1'; } catch { return false; }
    },
    set() {
      try { sessionStorage.setItem(engagedKey, '1'); } catch { /* a page without storage loads the chat on open only */ }
    },
  };

  function createFrame(open) {
    frame = document.createElement('iframe');
    frame.id = 'sodam-frame';
    frame.hidden = !open;
    loadFrame(open);
    document.body.append(frame);
  }

  // loadFrame points the chat at its page with the settings as they are
  // now (in the fragment, which is never sent to a server).
  function loadFrame(open) {
    frame.title = label[0];
    frame.src = `${base}/widget/frame?site_id=${encodeURIComponent(siteID)}#${encodeURIComponent(JSON.stringify({ ...settings, shown: open }))}`;
  }

  function toggle(open) {
    if (open && !look.allowed) {
      showNotice(true);
      return;
    }
    if (open) engaged.set();
    if (open && !frame) createFrame(true);
    if (frame) frame.hidden = !open;
    // The chat reports what the visitor has read only while it shows.
    frame?.contentWindow?.postMessage({ sodam: 'shown', shown: open }, base);
    button.setAttribute('aria-expanded', String(open));
    showUnread(open ? 0 : unread);
    if (open) frame.focus();
  }

  button.addEventListener('click', () => {
    if (!look.allowed) showNotice(!notice || notice.hidden);
    else toggle(!frame || frame.hidden);
  });
  // The chat's own close button (the only one reachable when the chat
  // fills a phone's screen) asks the page to hide it.
  // Escape in the chat arrives the same way; the chat also says when an
  // agent replied, counted on the launcher while the chat is closed.
  addEventListener('message', (e) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== base) return;
    if (e.data?.sodam === 'close') {
      toggle(false);
      button.focus();
    } else if (e.data?.sodam === 'unread' && frame.hidden) {
      // One more reply, or (a chat loaded hidden) how many are unread.
      showUnread(typeof e.data.count === 'number' ? Math.max(0, Math.floor(e.data.count)) : unread + 1);
    } else if (e.data?.sodam === 'ready') {
      frame.contentWindow.postMessage({ sodam: 'shown', shown: !frame.hidden }, base);
    }
  });
  // Escape on the page (the launcher focused) closes the chat too.
  addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing) return;
    if (frame && !frame.hidden) {
      toggle(false);
      button.focus();
    } else if (notice && !notice.hidden) {
      showNotice(false);
    }
  });

  let lookTimer = 0;
  const show = () => {
    clearTimeout(lookTimer);
    shown = true;
    style.textContent = css();
  };

  const mount = () => {
    document.head.append(style);
    document.body.append(button);
    toggle(false);
    lookTimer = setTimeout(show, lookWait);
    fetch(`${base}/api/v1/widget/launcher?site_id=${encodeURIComponent(siteID)}`)
      .then((r) => (r.ok ? r.json() : null))
      .then((got) => {
        if (!got) throw new Error('no look');
        Object.assign(look, got);
        show();
        // The workspace's language, unless the page chose one, before
        // the chat is loaded: the chat speaks the language it is given.
        if (look.language && !chosen) {
          const spoke = ko; // the browser's, as the chat takes it
          settings.language = look.language;
          ko = look.language === 'ko';
          label = ko ? ['채팅 상담 열기', '채팅 상담 닫기'] : ['Open chat', 'Close chat'];
          showUnread(unread);
          // A chat the visitor opened before this answer came speaks the
          // browser's language: it loads again in the workspace's (its
          // session and conversation are kept in its storage).
          if (frame && ko !== spoke) loadFrame(!frame.hidden);
        }
        if (look.allowed && !frame && engaged.get()) createFrame(false);
        // The launcher says when it stands where it stays (it moved if the
        // workspace put it elsewhere than the defaults) and speaks its
        // language.
        button.dataset.look = 'loaded';
      })
      .catch(() => {
        // No look (refused, or unreachable now): the defaults hold, and
        // the frame will retry.
        button.dataset.look = 'default';
        show();
      });
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
