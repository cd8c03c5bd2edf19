// Keep every [data-live-section] of a page fresh without a reload (the console's work list, the
// owner's figures): fetch its data-live-url every 10 s (every 30 s while the tab is hidden) and swap
// it in when the answer carries the data-live-header marker (never a login page after a timeout).
// When the number of things waiting changes, the page's polite [data-live-status] line says so, so
// that a screen reader hears it too.
import { keepFresh } from "./live-board.js";

const EVERY_MS = 10000;
const status = document.querySelector("[data-live-status]");

function waiting(section) {
  return [...section.querySelectorAll("[data-count]")].reduce((sum, item) => sum + Number(item.dataset.count), 0);
}

for (const section of document.querySelectorAll("[data-live-section]")) {
  let before = waiting(section);
  keepFresh(section, {
    url: section.dataset.liveUrl,
    header: section.dataset.liveHeader,
    everyMs: EVERY_MS,
    swapped: () => {
      const now = waiting(section);
      if (status && now !== before) status.textContent = status.dataset.msgChanged.replace("%n", String(now));
      before = now;
    },
  });
}
