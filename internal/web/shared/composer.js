// bindComposer wires a <form> holding a <textarea name="body"> as a chat
// composer: Enter sends, Shift+Enter adds a line, and Enter that finishes a
// Korean (or any IME) composition never sends a half-typed syllable. While
// the user types it reports typing(true) at most every few seconds, and
// typing(false) once they stop, send or leave the field.
const TYPING_REFRESH = 3000;
const TYPING_IDLE = 4000;

export function bindComposer(form, { send, typing }) {
  const input = form.elements.body;
  let typingSent = 0; // when typing(true) was last reported, 0 if stopped
  let idle = 0;

  const stopTyping = () => {
    clearTimeout(idle);
    if (!typingSent) return;
    typingSent = 0;
    typing(false);
  };

  // Enter sends unless Shift is held or an IME is composing (keyCode 229
  // covers browsers that report the composition's last Enter that way).
  const sends = (e) => e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229;
  input.addEventListener('keydown', (e) => {
    if (!sends(e)) return;
    e.preventDefault();
    form.requestSubmit();
  });
  // Some input paths (automation's synthetic keys among them) deliver the
  // Enter keypress even after its keydown was cancelled; it must not leave
  // a line break behind in the emptied field.
  input.addEventListener('keypress', (e) => {
    if (sends(e)) e.preventDefault();
  });

  input.addEventListener('input', () => {
    if (!input.value.trim()) return stopTyping();
    const now = Date.now();
    if (now - typingSent > TYPING_REFRESH) {
      typingSent = now;
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
