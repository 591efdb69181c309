// Folio control plane: the one script. Pages work without it; it only
// shows an element's panel without reloading the page when a box is
// clicked, by fetching the same page with ?el= and taking its panel.
"use strict";
document.addEventListener("click", async (ev) => {
  const a = ev.target.closest && ev.target.closest("svg.page a.box");
  if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
  const panel = document.getElementById("panel");
  if (!panel) return;
  ev.preventDefault();
  const href = a.getAttribute("href");
  try {
    const res = await fetch(href, { credentials: "same-origin" });
    if (!res.ok) throw new Error(res.status);
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("panel");
    if (!fresh) throw new Error("no panel");
    panel.replaceChildren(...fresh.childNodes);
    document.querySelectorAll("svg.page a.box.selected").forEach((b) => b.classList.remove("selected"));
    a.classList.add("selected");
    history.replaceState(null, "", href);
  } catch (e) {
    location.href = href; // fall back to following the link
  }
});
