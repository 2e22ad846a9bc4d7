// Progressive enhancement: the "Suivi de mise en relation" opens in a dialog over the list.
// Without JavaScript the info icon is a plain link to the same page.
(() => {
  const dialog = document.getElementById("suivi");
  if (!dialog || typeof dialog.showModal !== "function") return;
  let opener = null;

  async function open(url) {
    const separator = url.includes("?") ? "&" : "?";
    const response = await fetch(url + separator + "fragment=true", { credentials: "same-origin" });
    if (!response.ok) { window.location.href = url; return; }
    dialog.innerHTML = await response.text();
    dialog.querySelectorAll("input[name='retour']").forEach((input) => { input.value = location.pathname + location.search; });
    // The candidate's profile, opened by the contact's click: tell the server it was seen (scripts in the fragment do not run).
    const seen = dialog.querySelector("form[data-seen]");
    if (seen) fetch(seen.action, { method: "POST", body: new FormData(seen), credentials: "same-origin" }).catch(() => {});
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("h1")?.setAttribute("tabindex", "-1");
    dialog.querySelector("h1")?.focus();
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-dialog='suivi']");
    if (link) {
      event.preventDefault();
      opener = link;
      open(link.getAttribute("href"));
      return;
    }
    const tab = event.target.closest("dialog#suivi .tabs a");
    if (tab) {
      event.preventDefault();
      open(tab.getAttribute("href"));
      return;
    }
    if (event.target.closest("dialog#suivi [data-close]")) dialog.close();
  });

  dialog.addEventListener("close", () => {
    dialog.innerHTML = "";
    opener?.focus();
  });
})();
