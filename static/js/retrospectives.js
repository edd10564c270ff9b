// Live review screens: phase timers, pausing polls while someone is typing, console shortcuts.
(() => {
  const pad = (n) => String(n).padStart(2, "0");

  function tickTimers() {
    document.querySelectorAll("[data-timer-ends]").forEach((el) => {
      const left = Math.max(0, Math.round(Number(el.dataset.timerEnds) - Date.now() / 1000));
      el.textContent = `${Math.floor(left / 60)}:${pad(left % 60)}`;
      el.classList.toggle("is-done", left === 0);
      el.classList.toggle("is-ending", left > 0 && left <= 30);
    });
  }

  // A poll must not wipe what someone is writing or choosing.
  function isBusy(region) {
    const active = document.activeElement;
    if (active && region.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    if (region.querySelector("details[open]")) {
      return true;
    }
    return Array.from(region.querySelectorAll("textarea")).some((t) => t.value.trim() !== "");
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const region = event.detail.elt;
    if (region.matches("[data-poll]") && isBusy(region)) {
      event.preventDefault();
    }
  });

  // A poll that left before someone started typing must not land on top of their words.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const region = event.detail.elt;
    if (region.matches("[data-poll]") && event.detail.requestConfig.verb === "get" && isBusy(region)) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("keydown", (event) => {
    if (!document.body.classList.contains("console-page")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const ids = { n: "phase-next", ArrowRight: "phase-next", p: "phase-prev", ArrowLeft: "phase-prev", t: "timer-toggle" };
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const button = ids[key] && document.getElementById(ids[key]);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  // The presenter opens in its own window, to drag onto the projector.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-open-window]");
    if (!link) return;
    const opened = window.open(link.href, link.dataset.openWindow, "popup,width=1280,height=720");
    if (opened) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", tickTimers);
  setInterval(tickTimers, 500);
})();
