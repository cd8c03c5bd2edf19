// The dispatch board: refreshed every 10 s without reloading (live-board.js), and a delivery card
// dragged onto a courier (in the list or on the map) goes to that courier by submitting the card's
// own assign form: the same form its select and button submit without JavaScript, so the server's
// rules and messages are the same both ways. No swap happens while a card is being dragged.
import { keepFresh } from "./live-board.js";

const REFRESH_MS = 10000;

const board = document.querySelector("[data-dispatch-board]");
let dragged = null;

function dropTarget(event) {
  return dragged && event.target instanceof Element ? event.target.closest("[data-drop-courier]") : null;
}

function clearTargets() {
  for (const el of board.querySelectorAll(".is-drop-target")) el.classList.remove("is-drop-target");
}

function handOver(card, courierId) {
  const form = card.querySelector("[data-assign-form]");
  const select = form?.elements.courier_id;
  if (!select || form.elements.seen_courier_id.value === courierId) return;  // already theirs
  select.value = courierId;
  if (select.value !== courierId) return;  // not a courier this card offers
  form.requestSubmit();
}

if (board) {
  keepFresh(board, { url: board.dataset.liveUrl, header: "X-Dispatch-Board", everyMs: REFRESH_MS,
                     busy: () => dragged !== null });

  board.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest('[data-task-id][draggable="true"]') : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.taskId);
    card.classList.add("is-dragging");
  });

  board.addEventListener("dragend", () => {
    dragged?.classList.remove("is-dragging");
    dragged = null;
    clearTargets();
  });

  board.addEventListener("dragover", (event) => {
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("is-drop-target")) {
      clearTargets();
      target.classList.add("is-drop-target");
    }
  });

  board.addEventListener("dragleave", (event) => {
    const target = dropTarget(event);
    if (target && !(event.relatedTarget instanceof Node && target.contains(event.relatedTarget))) {
      target.classList.remove("is-drop-target");
    }
  });

  board.addEventListener("drop", (event) => {
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    const card = dragged;
    clearTargets();
    handOver(card, target.dataset.dropCourier);
  });
}
