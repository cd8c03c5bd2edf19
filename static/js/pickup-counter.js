// The pickup counter: the list of orders waiting for pickup stays fresh without a reload (a new
// pickup order, one just packed on the board), fetched every 5 s and swapped in.
import { keepFresh } from "./live-board.js";

const waiting = document.querySelector("[data-pickup-waiting]");
if (waiting) {
  keepFresh(waiting, { url: waiting.dataset.liveUrl, header: "X-Pickup-Waiting", everyMs: 5000 });
}
