// Small behaviours every page shares, kept out of inline attributes so the Content-Security-Policy
// can forbid inline script: forms with data-confirm ask before they submit.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// A poll marked data-pause-when-hidden makes no request while its tab is hidden: nobody reads it,
// and a forgotten tab would otherwise poll all day. Its visibilitychange trigger fetches at once
// when the tab shows again. (htmx trigger filters would say this inline, but they need eval.)
document.addEventListener("htmx:beforeRequest", (event) => {
  if (document.visibilityState !== "visible" && event.detail.elt.closest("[data-pause-when-hidden]")) {
    event.preventDefault();
  }
});

// A disclosure (<details> with an id) in a part htmx swaps stays as it was left: a poll must not
// close what someone opened to read. (htmx itself keeps the focus on an element with an id.)
let openBeforeSwap = [];
document.addEventListener("htmx:beforeSwap", (event) => {
  openBeforeSwap = [...event.detail.target.querySelectorAll("details[id][open]")].map((details) => details.id);
});
document.addEventListener("htmx:afterSwap", () => {
  for (const id of openBeforeSwap) document.getElementById(id)?.setAttribute("open", "");
  openBeforeSwap = [];
});

// Copy buttons (data-copy: the element whose text to copy; data-copy-status: where to say how it
// went, a live region). Where the browser refuses the clipboard (no permission, plain http), the
// text is selected instead, for Ctrl+C.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const status = document.querySelector(button.dataset.copyStatus);
  let said;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    said = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    said = "Selected: press Ctrl+C (⌘C on a Mac) to copy";
  }
  // Emptied first, so that a second press is announced again.
  status.textContent = "";
  window.setTimeout(() => { status.textContent = said; }, 50);
});
