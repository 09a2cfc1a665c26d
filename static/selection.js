// Keeps the leads a user ticks across pages, searches and row refreshes, and sends them all with
// the bulk form: state htmx can't hold. Stored per tab (sessionStorage).
(function () {
  const KEY = "selectedLeads";
  const load = () => new Set(JSON.parse(sessionStorage.getItem(KEY) || "[]"));
  const save = (ids) => sessionStorage.setItem(KEY, JSON.stringify([...ids]));

  function show() {
    const ids = load();
    document.querySelectorAll("input[name=lead_ids]").forEach((box) => { box.checked = ids.has(box.value); });
    const count = document.getElementById("selected-count");
    if (count) count.textContent = ids.size;
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    const ids = load();
    if (box.name === "lead_ids") {
      box.checked ? ids.add(box.value) : ids.delete(box.value);
    } else if (box.id === "select-page") {
      document.querySelectorAll("input[name=lead_ids]").forEach((b) => {
        box.checked ? ids.add(b.value) : ids.delete(b.value);
      });
    } else {
      return;
    }
    save(ids);
    show();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id !== "bulk-form") return;
    const onPage = new Set([...form.querySelectorAll("input[name=lead_ids]")].map((b) => b.value));
    load().forEach((id) => {
      if (onPage.has(id)) return;
      const hidden = Object.assign(document.createElement("input"), { type: "hidden", name: "lead_ids", value: id });
      form.appendChild(hidden);
    });
    sessionStorage.removeItem(KEY);
  });

  document.addEventListener("DOMContentLoaded", show);
  document.addEventListener("htmx:afterSettle", show);
})();
