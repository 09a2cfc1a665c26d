// Small behaviours every page shares, kept out of inline attributes so the Content-Security-Policy
// can forbid inline script: forms with data-confirm ask before they submit.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
