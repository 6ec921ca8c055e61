// With JavaScript on, "chat with us" opens the chat widget on the page
// (the launcher /widget.js draws); without it, the link opens the chat in
// a page of its own.
document.addEventListener('click', (e) => {
  const link = e.target.closest && e.target.closest('#help-chat');
  const launcher = document.getElementById('sodam-launcher');
  if (!link || !launcher) return;
  e.preventDefault();
  if (launcher.getAttribute('aria-expanded') !== 'true') launcher.click();
});
