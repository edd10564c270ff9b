// Live review screens: push with polling as fallback, phase timers, pausing refreshes while
// someone is typing, presenter controls, console shortcuts.
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
    const pushed = Boolean(event.detail.requestConfig.triggeringEvent);
    if (region.dataset.pushState === "live" && !pushed && Date.now() - region.fetchedAt < SAFETY_POLL_MS) {
      // The stream says when something changed: no need to ask every 2 s, only now and then in
      // case a message was lost (a change saved where nothing publishes, a Redis hiccup).
      event.preventDefault();
      return;
    }
    if (region.matches("[data-poll]") && isBusy(region)) {
      event.preventDefault();
      // A change held back while someone types is fetched once they are done.
      if (pushed) setTimeout(() => refresh(region), 2000);
    }
  });

  // A poll that left before someone started typing must not land on top of their words.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const region = event.detail.elt;
    if (region.matches("[data-poll]") && event.detail.requestConfig.verb === "get" && isBusy(region)) {
      event.detail.shouldSwap = false;
      if (region.dataset.pushState === "live") setTimeout(() => refresh(region), 2000);
    }
  });

  // Push: each live screen holds a stream (server-sent events) that says "review N is now at
  // version V" as soon as a change commits, and refetches its regions then. While the stream is
  // down the regions' own 2-s polling runs, and the stream is retried with a growing wait.
  const RECONNECT_FIRST_MS = 1000;
  const RECONNECT_MOST_MS = 30000;
  const SAFETY_POLL_MS = 30000;

  // One refetch at a time per region; a change that arrives meanwhile is fetched right after.
  function request(region) {
    if (region.pushInFlight) {
      region.pushAgain = true;
      return;
    }
    htmx.trigger(region, "refresh");
  }

  // Regions with data-push-spread (phones) refetch at a random moment within that many ms, and
  // that long after their last answer at the soonest: a hundred phones do not all ask at once,
  // nor more often than they polled, even when the server is slow to answer.
  function refresh(region) {
    const spread = Number(region.dataset.pushSpread || 0);
    if (!spread) {
      request(region);
      return;
    }
    if (region.pushTimer) return;
    const delay = Math.max(Math.random() * spread, (region.pushLast || 0) + spread - Date.now());
    region.pushTimer = setTimeout(() => {
      region.pushTimer = null;
      request(region);
    }, delay);
  }

  document.addEventListener("htmx:beforeSend", (event) => {
    event.detail.elt.pushInFlight = true;
    event.detail.elt.fetchedAt = Date.now();
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const region = event.detail.elt;
    region.pushInFlight = false;
    region.pushLast = Date.now();
    if (region.pushAgain) {
      region.pushAgain = false;
      request(region);
    }
  });

  function follow(url, regions) {
    let version = Number(regions[0].dataset.pushVersion);
    let wait = RECONNECT_FIRST_MS;
    const show = (state) => regions.forEach((region) => (region.dataset.pushState = state));
    const connect = () => {
      const source = new EventSource(url);
      source.onopen = () => {
        wait = RECONNECT_FIRST_MS;
        show("live");
      };
      source.onmessage = (event) => {
        const now = JSON.parse(event.data).version;
        if (now === version) return;
        version = now;
        regions.forEach(refresh);
      };
      // The server ends each stream after a few minutes; take a new one straight away.
      source.addEventListener("bye", () => {
        source.close();
        connect();
      });
      source.onerror = () => {
        source.close();
        show("polling");
        setTimeout(connect, wait);
        wait = Math.min(wait * 2, RECONNECT_MOST_MS);
      };
    };
    connect();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.EventSource) return;
    const streams = new Map();
    document.querySelectorAll("[data-push]").forEach((region) => {
      region.fetchedAt = Date.now();
      streams.set(region.dataset.push, [...(streams.get(region.dataset.push) || []), region]);
    });
    streams.forEach((regions, url) => follow(url, regions));
  });

  // The presenter's dark, high-contrast theme (for projectors that wash out a white page) is
  // remembered in this browser, so the projector keeps it across reloads.
  const THEME_KEY = "learnorg.presenter-theme";

  function showTheme(dark) {
    document.body.classList.toggle("theme-dark", dark);
    document.querySelectorAll('[data-presenter="theme"]').forEach((b) => b.setAttribute("aria-pressed", String(dark)));
  }

  function toggleTheme() {
    const dark = !document.body.classList.contains("theme-dark");
    try {
      localStorage.setItem(THEME_KEY, dark ? "dark" : "light");
    } catch {
      // Private windows may refuse storage; the theme still switches for this page.
    }
    showTheme(dark);
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  }

  function showShortcuts() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("fullscreenchange", () => {
    const on = String(Boolean(document.fullscreenElement));
    document.querySelectorAll('[data-presenter="fullscreen"]').forEach((b) => b.setAttribute("aria-pressed", on));
  });

  document.addEventListener("click", (event) => {
    const control = event.target.closest("[data-presenter]");
    if (!control) return;
    ({ theme: toggleTheme, fullscreen: toggleFullscreen, shortcuts: showShortcuts })[control.dataset.presenter]();
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (!document.body.classList.contains("presenter")) return;
    let saved = null;
    try {
      saved = localStorage.getItem(THEME_KEY);
    } catch {
      // No storage: start light.
    }
    showTheme(saved === "dark");
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable], dialog")) return;
    const body = document.body;
    if (event.key === "?" && (body.classList.contains("console-page") || body.classList.contains("presenter"))) {
      event.preventDefault();
      showShortcuts();
      return;
    }
    if (body.classList.contains("presenter")) {
      const action = { d: toggleTheme, f: toggleFullscreen }[event.key.toLowerCase()];
      if (action) {
        event.preventDefault();
        action();
      }
      return;
    }
    if (!body.classList.contains("console-page")) return;
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
