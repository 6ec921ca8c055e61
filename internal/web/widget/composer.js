// bindComposer wires a <form> holding a <textarea name="body"> as a chat
// composer: Enter sends, Shift+Enter adds a line, and Enter that finishes a
// Korean (or any IME) composition never sends a half-typed syllable. While
// the user types it reports typing(true) at most every few seconds, and
// typing(false) once they stop, send or leave the field.
const TYPING_REFRESH = 3000;
const TYPING_IDLE = 4000;

export function bindComposer(form, { send, typing }) {
  const input = form.elements.body;
  let typingSince = 0;
  let idle = 0;

  const stopTyping = () => {
    clearTimeout(idle);
    if (!typingSince) return;
    typingSince = 0;
    typing(false);
  };

  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    form.requestSubmit();
  });

  input.addEventListener('input', () => {
    if (!input.value.trim()) return stopTyping();
    const now = Date.now();
    if (now - typingSince > TYPING_REFRESH) {
      typingSince = now;
      typing(true);
    }
    clearTimeout(idle);
    idle = setTimeout(stopTyping, TYPING_IDLE);
  });

  input.addEventListener('blur', stopTyping);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim() || input.disabled) return;
    input.value = '';
    stopTyping();
    send(text);
  });
}
