// An e-mail link's profile page tells the server it was seen (the school's "Profil consulté par …") once a person is
// there: the page in view for two seconds, and a sign of someone at it (the pointer, a key, a touch, a scroll).
// Opening the link records nothing: mail scanners open links before people do, some in a browser that runs this
// script; a browser driven by automation (navigator.webdriver) never reports.
(() => {
  const form = document.querySelector("form[data-seen]");
  if (!form || navigator.webdriver) return;
  let timer = null;
  let inView = false;
  let someone = false;
  let sent = false;

  function send() {
    if (sent || !inView || !someone) return;
    sent = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" }).catch(() => {});
  }

  function watch() {
    if (document.visibilityState === "visible") {
      timer ??= setTimeout(() => { inView = true; send(); }, 2000);
    } else if (timer !== null) {
      clearTimeout(timer);
      timer = null;
      inView = false;
    }
  }

  for (const type of ["pointermove", "pointerdown", "keydown", "touchstart", "wheel", "scroll"]) {
    window.addEventListener(type, () => { someone = true; send(); }, { passive: true, once: true });
  }
  document.addEventListener("visibilitychange", watch);
  watch();
})();
