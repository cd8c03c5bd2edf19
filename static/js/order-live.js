// Live order status: poll the order's JSON every 5 s and update the page in place.
import { placeCourier } from "./route-map.js";

const root = document.querySelector("[data-order-live]");
const FINISHED = new Set(["delivered", "collected", "cancelled", "failed"]);

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
  const cancel = root.querySelector("[data-cancel-form]");
  if (cancel && !data.cancellable) cancel.remove();
  root.dataset.status = data.status;
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

if (root) setTimeout(poll, 5000);
