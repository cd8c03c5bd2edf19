// Live order status: poll the order's JSON every 5 s and update the page in place: status, ETA,
// courier, steps, the lines (struck out with a note when staff mark one unavailable) and the money
// after refunds. The cancel link opens its confirmation in a <dialog> (the link alone leads to the
// confirmation page, so it works without JavaScript too).
import { placeCourier } from "./route-map.js";

const root = document.querySelector("[data-order-live]");
const FINISHED = new Set(["delivered", "collected", "cancelled", "failed"]);

function renderItems(data) {
  for (const item of data.items || []) {
    const row = root.querySelector(`[data-item="${item.id}"]`);
    if (!row) continue;
    row.classList.toggle("struck", item.unavailable);
    const note = row.querySelector("[data-item-note]");
    if (note) note.hidden = !item.unavailable;
  }
  const totals = data.totals || {};
  for (const el of root.querySelectorAll("[data-live-total]")) {
    const value = totals[el.dataset.liveTotal];
    if (value !== undefined) el.textContent = value;
  }
  const refunded = root.querySelector("[data-live-refunded]");
  if (refunded) refunded.hidden = !totals.refunded_cents;
}

function render(data) {
  for (const el of root.querySelectorAll("[data-live]")) {
    const value = data[el.dataset.live];
    el.textContent = Array.isArray(value) ? value.join(", ") : (value ?? "");
  }
  const badge = root.querySelector(".status-line .badge");
  if (badge) badge.className = `badge status-${data.status}`;
  root.querySelector("[data-live-eta]").hidden = data.minutes_left === null;
  root.querySelector("[data-live-courier]").hidden = !data.courier;
  root.querySelector("[data-live-unavailable]").hidden = data.unavailable.length === 0;
  root.querySelector("[data-live-late]").hidden = !data.late;
  const map = root.querySelector("[data-live-map]");
  if (map) {
    map.hidden = !data.en_route;
    const where = data.courier_position;
    placeCourier(map.querySelector("[data-route-map]"), where ? where.lat : null, where ? where.lon : null);
    map.querySelector("[data-live-no-position]").hidden = Boolean(where);
  }
  for (const step of data.steps) {
    const li = root.querySelector(`[data-step="${step.status}"]`);
    if (li) li.classList.toggle("done", step.done);
  }
  renderItems(data);
  const cancel = root.querySelector("[data-cancel-entry]");
  if (cancel && !data.cancellable) {
    const dialog = cancel.querySelector("dialog");
    if (dialog && dialog.open) dialog.close();
    cancel.remove();
  }
  root.dataset.status = data.status;
}

function setUpCancelDialog() {
  const open = root.querySelector("[data-cancel-open]");
  const dialog = root.querySelector("[data-cancel-dialog]");
  if (!open || !dialog || typeof dialog.showModal !== "function") return;  // the link goes to the page
  open.addEventListener("click", (event) => {
    event.preventDefault();
    dialog.showModal();
    dialog.querySelector("[data-cancel-keep]")?.focus();
  });
}

async function poll() {
  try {
    const response = await fetch(root.dataset.orderLive, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) {
      const data = await response.json();
      const before = root.dataset.status;
      render(data);
      if (before && before !== data.status && FINISHED.has(data.status)) location.reload();
      if (FINISHED.has(data.status)) return;
    }
  } catch (error) {
    // Offline for a moment (lift, basement): try again on the next tick.
  }
  setTimeout(poll, document.hidden ? 15000 : 5000);
}

if (root) {
  setUpCancelDialog();
  if (!FINISHED.has(root.dataset.status)) setTimeout(poll, 5000);
}
