// Keep the breakfast menu's portions fresh ([data-menu-poll] on the menu's form): every 20 s (60 s
// while the tab is hidden) ask the API for the date's menu, and show each item's portions left, or
// SOLD OUT at once, without a reload. A quantity already typed is never cleared; an item that sold
// out with nothing typed is disabled.
const form = document.querySelector("[data-menu-poll]");
const EVERY_MS = 20000;

function show(row, item) {
  const left = row.querySelector("[data-portions]");
  const soldOut = row.querySelector("[data-sold-out-label]");
  const input = row.querySelector("input.bf-qty");
  if (left) left.textContent = left.dataset.msg.replace("%n", String(item.portions_left));
  row.classList.toggle("is-sold-out", item.sold_out);
  if (soldOut) soldOut.hidden = !item.sold_out;
  if (left) left.hidden = item.sold_out;
  if (input && item.sold_out && !input.value && !row.classList.contains("is-blocked")) input.disabled = true;
}

async function poll() {
  try {
    const response = await fetch(form.dataset.menuPoll, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) {
      const menu = await response.json();
      for (const item of menu.items || []) {
        const row = document.querySelector(`[data-item="${item.item_id}"]`);
        if (row) show(row, item);
      }
    }
  } catch {
    // Offline for a moment: the next tick tries again.
  }
  setTimeout(poll, document.hidden ? 3 * EVERY_MS : EVERY_MS);
}

if (form) setTimeout(poll, EVERY_MS);
