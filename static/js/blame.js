// Blame-language nudges as someone types: the words the server flagged are highlighted in the
// text box itself, behind the text, and kept on the same words while the next check is on its way.
(() => {
  const COPIED = [
    "fontFamily", "fontSize", "fontWeight", "fontStyle", "lineHeight",
    "letterSpacing", "wordSpacing", "textIndent", "textTransform", "tabSize",
    "paddingTop", "paddingRight", "paddingBottom", "paddingLeft",
    "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth",
  ];

  // Positions from the server count characters (code points), as Array.from does.
  function locate(chars, flag) {
    const wanted = Array.from(flag.text);
    const same = (at) => wanted.every((c, i) => chars[at + i] === c);
    if (same(flag.start)) return flag.start;
    // The text moved under the flag while typing: the nearest copy of the same words.
    let best = -1;
    for (let at = 0; at + wanted.length <= chars.length; at += 1) {
      if (same(at) && (best < 0 || Math.abs(at - flag.start) < Math.abs(best - flag.start))) best = at;
    }
    return best;
  }

  function paint(box) {
    const field = box.closest(".blame-field");
    const backdrop = field && field.querySelector(".blame-backdrop");
    if (!backdrop) return;
    const style = getComputedStyle(box);
    COPIED.forEach((name) => { backdrop.style[name] = style[name]; });
    // The box's own width less its scroll bar, so lines wrap at the same words.
    const borders = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    backdrop.style.boxSizing = "border-box";
    backdrop.style.width = `${box.clientWidth + borders}px`;
    backdrop.style.height = `${box.offsetHeight}px`;
    const chars = Array.from(box.value);
    const spans = (box.blameFlags || [])
      .map((flag) => ({ ...flag, at: locate(chars, flag) }))
      .filter((flag) => flag.at >= 0)
      .sort((a, b) => a.at - b.at);
    backdrop.replaceChildren();
    let cursor = 0;
    spans.forEach((flag) => {
      const end = flag.at + Array.from(flag.text).length;
      if (flag.at < cursor) return;
      backdrop.append(chars.slice(cursor, flag.at).join(""));
      const mark = document.createElement("mark");
      mark.className = "blame-mark";
      mark.dataset.kind = flag.kind;
      mark.textContent = chars.slice(flag.at, end).join("");
      backdrop.append(mark);
      cursor = end;
    });
    backdrop.append(`${chars.slice(cursor).join("")}\n`);
    backdrop.scrollTop = box.scrollTop;
    field.classList.toggle("has-blame", spans.length > 0);
  }

  function flagsIn(slot) {
    const hint = slot.querySelector("[data-blame-flags]");
    try {
      return hint ? JSON.parse(hint.dataset.blameFlags) : [];
    } catch (error) {
      return [];
    }
  }

  function setUp(box) {
    if (box.closest(".blame-field")) return;
    const field = document.createElement("div");
    field.className = "blame-field";
    box.parentNode.insertBefore(field, box);
    const backdrop = document.createElement("div");
    backdrop.className = "blame-backdrop";
    backdrop.setAttribute("aria-hidden", "true");
    field.append(backdrop, box);
    const slot = document.querySelector(`[data-blame-hint-for="${box.id}"]`);
    if (slot) {
      const described = (box.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!described.includes(slot.id)) box.setAttribute("aria-describedby", [...described, slot.id].join(" "));
      box.blameFlags = flagsIn(slot);
    }
    box.addEventListener("input", () => paint(box));
    box.addEventListener("scroll", () => { backdrop.scrollTop = box.scrollTop; });
    new ResizeObserver(() => paint(box)).observe(box);
    paint(box);
    if (box.value.trim() && slot && !box.blameFlags.length) htmx.trigger(box, "input");
  }

  // A hint slot names its text box: data-blame-hint-for="<id of the textarea>".
  htmx.onLoad((root) => {
    const scope = root.querySelectorAll ? root : document;
    const slots = Array.from(scope.querySelectorAll("[data-blame-hint-for]"));
    if (scope.matches && scope.matches("[data-blame-hint-for]")) slots.push(scope);
    slots.forEach((slot) => {
      const box = document.getElementById(slot.dataset.blameHintFor);
      if (box && box.matches("textarea")) setUp(box);
    });
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const slot = event.detail.target;
    if (!slot.matches || !slot.matches("[data-blame-hint-for]")) return;
    const box = document.getElementById(slot.dataset.blameHintFor);
    if (!box) return;
    box.blameFlags = flagsIn(slot);
    paint(box);
  });
})();
