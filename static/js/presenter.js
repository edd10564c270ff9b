// The presenter fits its notes to the projector: the largest type at which every note shows
// whole, never below the page's 32px minimum; when they don't fit even then, pages of whole
// notes that turn by themselves. Sizes are classes (static/css/retrospectives.css), not inline
// styles, because of the Content-Security-Policy.
(() => {
  const SIZES = ["fit-xl", "fit-l", "fit-m"];
  const TURN_MS = 10_000;
  let list = null;
  let pages = [];
  let page = 0;
  let turner = null;

  const overflows = (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;

  function show(notes, from, to) {
    notes.forEach((note, i) => {
      note.hidden = i < from || i >= to;
    });
  }

  // Consecutive runs of notes that fit together; a note too tall on its own is a page by itself.
  function paginate(notes) {
    const runs = [];
    let from = 0;
    while (from < notes.length) {
      let to = from + 1;
      show(notes, from, to);
      const cut = overflows(list);
      while (!cut && to < notes.length) {
        show(notes, from, to + 1);
        if (overflows(list)) break;
        to += 1;
      }
      runs.push({ from, to, cut });
      from = to;
    }
    return runs;
  }

  function showPage() {
    const notes = Array.from(list.children);
    const { from, to, cut } = pages[page];
    show(notes, from, to);
    list.classList.toggle("is-cut", cut);
    const label = document.querySelector("[data-presenter-page]");
    if (label) {
      label.hidden = pages.length < 2;
      label.textContent = `Page ${page + 1} of ${pages.length}`;
    }
  }

  function fit() {
    clearInterval(turner);
    turner = null;
    list = document.querySelector(".presenter-notes");
    if (!list) return;
    const notes = Array.from(list.children);
    const label = document.querySelector("[data-presenter-page]");
    if (label) label.hidden = true;
    list.classList.remove("is-cut", ...SIZES);
    show(notes, 0, notes.length);
    const size = SIZES.find((candidate) => {
      list.classList.add(candidate);
      if (!overflows(list)) return true;
      list.classList.remove(candidate);
      return false;
    });
    if (size) {
      pages = [{ from: 0, to: notes.length, cut: false }];
    } else {
      list.classList.add(SIZES[SIZES.length - 1]);
      // The page number takes a line under the notes: measure with it there.
      if (label) {
        label.textContent = "Page";
        label.hidden = false;
      }
      pages = paginate(notes);
    }
    page = Math.min(page, pages.length - 1);
    showPage();
    if (pages.length > 1) {
      turner = setInterval(() => {
        page = (page + 1) % pages.length;
        showPage();
      }, TURN_MS);
    }
  }

  let pending = false;
  function fitSoon() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fit();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const layout = document.querySelector(".presenter-layout");
    if (!layout) return;
    fit();
    // Refit when new notes arrive, however the board is refreshed; the ticking timer is ignored.
    new MutationObserver(() => {
      if (document.querySelector(".presenter-notes") !== list) fit();
    }).observe(layout, { childList: true, subtree: true });
    window.addEventListener("resize", fitSoon);
  });
})();
