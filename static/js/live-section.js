// Keep every [data-live-section] of a page fresh without a reload (the console's work list, the
// owner's figures): fetch its data-live-url every 10 s (every 30 s while the tab is hidden) and swap
// it in when the answer carries the data-live-header marker (never a login page after a timeout).
import { keepFresh } from "./live-board.js";

const EVERY_MS = 10000;

for (const section of document.querySelectorAll("[data-live-section]")) {
  keepFresh(section, { url: section.dataset.liveUrl, header: section.dataset.liveHeader, everyMs: EVERY_MS });
}
