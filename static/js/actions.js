// actions app: after htmx swaps a row (a status change), move focus to it so keyboard and
// screen-reader users know where they are; put them on the first invalid field if any.
document.addEventListener("htmx:afterSwap", (event) => {
  const row = event.detail.target;
  if (!row || !row.id || !row.id.startsWith("action-")) {
    return;
  }
  const invalid = document.querySelector(`#${row.id} .is-invalid`);
  const target = invalid || document.querySelector(`#${row.id} a`);
  if (target) {
    target.focus();
  }
});
