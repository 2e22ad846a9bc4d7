// An e-mail link's profile page tells the server it was seen once it has been in view for two seconds (the school's
// "Profil consulté par …"). Opening the link records nothing: mail scanners open links before people do.
(() => {
  const form = document.querySelector("form[data-seen]");
  if (!form) return;
  let timer = null;
  let sent = false;

  function send() {
    sent = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" }).catch(() => {});
  }

  function watch() {
    if (sent) return;
    if (document.visibilityState === "visible") {
      timer ??= setTimeout(send, 2000);
    } else if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  document.addEventListener("visibilitychange", watch);
  watch();
})();
