// The why board on the console: move a note to another cause by dragging it onto the group, or
// with ← → while the note has focus. Either way the note's own "Move to" form is submitted, so
// every move takes the same path (htmx, no reload) as choosing from its menu.
(() => {
  let refocus = null;

  const noteOf = (el) => el && el.closest && el.closest(".why-note");

  function moveTo(note, cause) {
    const form = note.querySelector("form.why-move");
    const select = form && form.querySelector("select[name=cause]");
    if (!select || select.value === cause) return;
    select.value = cause;
    refocus = note.id;
    form.requestSubmit();
  }

  function groupOf(note) {
    return note.closest("[data-drop-cause]");
  }

  // ← → on a focused note: the previous or next group, in the order the board shows them.
  window.addEventListener("keydown", (event) => {
    const note = event.target;
    if (!note.classList || !note.classList.contains("why-note")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    // The note's keys, not the console's phase shortcuts.
    event.preventDefault();
    event.stopPropagation();
    const groups = Array.from(note.closest("[data-why-board]").querySelectorAll("[data-drop-cause]"));
    const next = groups[groups.indexOf(groupOf(note)) + (event.key === "ArrowRight" ? 1 : -1)];
    if (next) moveTo(note, next.dataset.dropCause);
  }, true);

  document.addEventListener("dragstart", (event) => {
    const note = noteOf(event.target);
    if (!note) return;
    event.dataTransfer.setData("text/plain", note.id);
    event.dataTransfer.effectAllowed = "move";
    note.classList.add("is-dragged");
  });

  document.addEventListener("dragend", (event) => {
    const note = noteOf(event.target);
    if (note) note.classList.remove("is-dragged");
    document.querySelectorAll("[data-drop-cause].is-over").forEach((g) => g.classList.remove("is-over"));
  });

  document.addEventListener("dragover", (event) => {
    const group = event.target.closest && event.target.closest("[data-drop-cause]");
    if (!group || !document.querySelector(".why-note.is-dragged")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll("[data-drop-cause].is-over").forEach((g) => g !== group && g.classList.remove("is-over"));
    group.classList.add("is-over");
  });

  document.addEventListener("drop", (event) => {
    const group = event.target.closest && event.target.closest("[data-drop-cause]");
    if (!group) return;
    event.preventDefault();
    group.classList.remove("is-over");
    const note = document.getElementById(event.dataTransfer.getData("text/plain"));
    if (noteOf(note) === note) moveTo(note, group.dataset.dropCause);
  });

  // A poll must not redraw the board under a note being dragged.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const region = event.detail.elt;
    if (region.matches("[data-poll]") && region.querySelector(".why-note.is-dragged")) {
      event.preventDefault();
    }
    const note = noteOf(region);
    if (note && !refocus) refocus = note.id;
  });

  // After a move the board is redrawn: focus stays on the note that moved.
  document.addEventListener("htmx:afterSettle", () => {
    if (!refocus) return;
    const note = document.getElementById(refocus);
    refocus = null;
    // A note hidden or merged has left the board: its Undo is where the keyboard goes next.
    const next = note || document.querySelector("[data-toast-undo]");
    if (next) next.focus();
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-toast-close]")) {
      document.getElementById("console-toast").replaceChildren();
    }
  });
})();
