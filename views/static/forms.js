// Forms send once: the first submit marks the form as sending and disables its buttons right
// after the browser has read the pressed button's name and value, so a double click sends
// one request. Without JavaScript the server's one-time keys (form.once) do the same job.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  form.dataset.sending = '1';
  setTimeout(() => {
    for (const b of form.querySelectorAll('button, input[type=submit]')) b.disabled = true;
  }, 0);
});
// Coming back with the Back button shows the page from cache: make its forms usable again.
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-sending]')) {
    delete form.dataset.sending;
    for (const b of form.querySelectorAll('button, input[type=submit]')) b.disabled = false;
  }
});
