// Files in messages, shared by the widget and the console: checking a file
// against the workspace's rules before sending it, uploading it with
// progress, and showing an attachment — an image as its thumbnail (a click
// opens the whole image), any other file as a link with its name and size.
// Names are only ever set as text.
import { h } from './dom.js';
import { ApiError } from './net.js';

// extensionOf returns a file name's lower-case extension, or ''.
const extensionOf = (name) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

// fileProblem names what the server would refuse the file for
// (file_type_not_allowed, file_empty, file_too_large), or ''. Checking
// first tells the person at once and keeps a large file from being sent
// for nothing; the server checks again, the content too.
export function fileProblem(file, rules) {
  if (!rules) return '';
  const ext = extensionOf(file.name);
  if (!ext || !Object.values(rules.extensions ?? {}).some((list) => list?.includes(ext))) return 'file_type_not_allowed';
  if (file.size === 0) return 'file_empty';
  if (file.size > rules.max_size_mb * 1024 * 1024) return 'file_too_large';
  return '';
}

// acceptList is a file input's accept attribute for the allowed extensions.
export const acceptList = (rules) =>
  Object.values(rules?.extensions ?? {}).flat().map((ext) => '.' + ext).join(',');

// upload posts the file as multipart form data (client_msg_id first, as
// the server requires) and resolves to the decoded answer, or rejects
// with an ApiError. XMLHttpRequest, unlike fetch, reports upload progress:
// onProgress(fraction) as the bytes leave.
export function upload(url, { file, clientMsgID, headers = {}, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.response);
        return;
      }
      const err = xhr.response?.error ?? {};
      reject(new ApiError(xhr.status, err.code || 'http_' + xhr.status, err.message || xhr.statusText, undefined, err.field));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'the server could not be reached')));
    const form = new FormData();
    form.append('client_msg_id', clientMsgID);
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

// sizeText is a byte count for people: 820 B, 14 kB, 2.5 MB.
export function sizeText(bytes, lang) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kilobyte', 'megabyte', 'gigabyte'];
  let i = 0;
  let n = bytes / 1024;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return new Intl.NumberFormat(lang, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: n < 10 ? 1 : 0 }).format(n);
}

// The longest side an inline image is shown with, in CSS pixels.
const SHOWN = 240;

// attachmentView shows a message's attachment. texts holds the words for
// the page's language: open (an image's link) and download. The console
// passes a name whose personal information is marked (§11, pii.js): name
// is then drawn beside the link (its marks are buttons, which a link may
// not hold) and, once the agent has seen the originals, saveAs is what
// the download is saved as (the server names it as stored, masked).
export function attachmentView(a, lang, texts, { name, saveAs } = {}) {
  if (a.thumbnail_url) {
    const scale = Math.min(1, SHOWN / Math.max(a.width || SHOWN, a.height || SHOWN));
    const sep = a.url.includes('?') ? '&' : '?';
    const image = h('a', {
      class: 'file-image', href: a.url + sep + 'inline=1', target: '_blank', rel: 'noopener',
      title: `${a.name} · ${texts.open}`, dataset: { testid: 'file-open' },
    }, h('img', {
      src: a.thumbnail_url, alt: a.name, dataset: { testid: 'file-thumbnail' },
      width: a.width ? Math.round(a.width * scale) : null, height: a.height ? Math.round(a.height * scale) : null,
    }));
    return name ? h('span', { class: 'file-figure' }, image, name) : image;
  }
  const link = h('a', { class: 'file-link', href: a.url, download: saveAs ?? a.name, title: `${saveAs ?? a.name} · ${texts.download}`, dataset: { testid: 'file-link' } },
    fileIcon(),
    h('span', { class: 'file-text' },
      !name && h('span', { class: 'file-name' }, a.name),
      h('span', { class: 'file-size' }, sizeText(a.size, lang))));
  if (saveAs) link.addEventListener('click', (e) => saveUnder(e, a.url, saveAs));
  return name ? h('span', { class: 'file-named' }, link, name) : link;
}

// saveUnder saves a download under name instead of the name the server
// gives it (a browser prefers that one to the link's download attribute):
// the bytes come as a blob, which has none.
async function saveUnder(e, url, name) {
  e.preventDefault();
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) return;
  const href = URL.createObjectURL(await res.blob());
  const a = h('a', { href, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}

// draftView shows a file being sent: its name, size and, unless it
// failed, a progress bar (updated in place by setProgress).
export function draftView(file, lang, progressLabel, status) {
  return h('span', { class: 'file-link draft' },
    fileIcon(),
    h('span', { class: 'file-text' },
      h('span', { class: 'file-name' }, file.name),
      h('span', { class: 'file-size' }, sizeText(file.size, lang)),
      status !== 'failed' && h('progress', { max: 1, value: file.progress ?? 0, 'aria-label': progressLabel, dataset: { testid: 'file-progress' } })));
}

// setProgress moves a draft's progress bar, if the element still shows one.
export function setProgress(el, fraction) {
  const bar = el?.querySelector('progress');
  if (bar) bar.value = fraction;
}

function fileIcon() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'file-icon');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5M9 13h6M9 17h6');
  svg.append(path);
  return svg;
}
