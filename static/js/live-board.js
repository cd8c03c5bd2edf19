// Keep a server-rendered part of a staff page fresh without reloading (the order and dispatch
// boards): fetch its fragment every few seconds and swap it in. Only an answer carrying the page's
// own header is used (a login page after a session timeout is not); nothing is swapped while staff
// type or choose inside it, or while `busy()` says so; open <details id=...> stay open.
export function keepFresh(root, { url, header, everyMs, hiddenEveryMs = 3 * everyMs, busy = () => false,
                                  swapped = () => {} }) {
  function typing() {
    const active = document.activeElement;
    return active && root.contains(active) && active.matches("input, select, textarea");
  }

  function swap(html) {
    const open = [...root.querySelectorAll("details[open][id]")].map((d) => d.id);
    const template = document.createElement("template");
    template.innerHTML = html;
    root.replaceChildren(template.content);
    for (const id of open) document.getElementById(id)?.setAttribute("open", "");
    swapped();
  }

  async function poll() {
    if (!typing() && !busy()) {
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (response.ok && response.headers.get(header) === "1") swap(await response.text());
      } catch {
        // The counter's Wi-Fi dropped for a moment: try again on the next tick.
      }
    }
    setTimeout(poll, document.hidden ? hiddenEveryMs : everyMs);
  }

  setTimeout(poll, everyMs);
}
