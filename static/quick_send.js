// Quick Send's button says what Send will do for the address the icon answered about: the icon's
// data-send-label / data-send-blocked are copied onto it. Typing another address makes it a plain
// Send until that answer comes (Send checks the address itself). The button is changed in place,
// never replaced, so a click under way when an answer lands still sends.
(() => {
  const button = document.getElementById("send");
  const blocked = document.getElementById("send-blocked");
  const show = (label, reason) => {
    button.textContent = label;
    button.disabled = Boolean(reason);
    blocked.textContent = reason;
    blocked.hidden = !reason;
    if (reason) button.setAttribute("aria-describedby", "send-blocked");
    else button.removeAttribute("aria-describedby");
  };
  document.getElementById("recipient").addEventListener("input", () => show("Send", ""));
  document.body.addEventListener("htmx:afterSettle", () => {
    const status = document.getElementById("recipient-status");
    if (status && status.dataset.sendLabel) show(status.dataset.sendLabel, status.dataset.sendBlocked);
  });
})();
