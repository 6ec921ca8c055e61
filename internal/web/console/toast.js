// toast shows a short message at the bottom of the screen, for results and
// errors that belong to no particular field.
let timer = 0;

export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}
