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

// Live total ([data-price-url]): as quantities or the coupon change, the server prices the items
// entered (the same page "Update the total" asks for without JS) and the coupon choices and total are
// swapped in without a reload; the button is then not needed. A later answer always wins; the best
// coupon that fits is re-chosen as items change until the parent picks one.
const priced = document.querySelector("form[data-price-url]");
if (priced) {
  const live = priced.querySelector("[data-price-live]");
  const hideButton = () => { const b = live.querySelector("[data-price-update]"); if (b) b.hidden = true; };
  hideButton();
  let asked = 0;
  let timer;
  // Until the parent picks a coupon (or the page came back with one picked), the server picks the best.
  let chosen = Boolean(priced.querySelector("input[name=coupon]:checked"));
  const body = () => {
    const data = new FormData(priced);
    if (!chosen) data.delete("coupon");
    return data;
  };
  const reprice = async () => {
    const mine = ++asked;
    try {
      const answer = await fetch(priced.dataset.priceUrl, {
        method: "POST", body: body(), credentials: "same-origin", headers: { Accept: "text/html" },
      });
      if (!answer.ok || mine !== asked) return;
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.querySelector("form[data-price-url] [data-price-live]");
      if (fresh && mine === asked) {
        live.innerHTML = fresh.innerHTML;
        hideButton();
      }
    } catch {
      // Offline for a moment: the total is priced again on the next change, and when ordering.
    }
  };
  priced.addEventListener("input", (event) => {
    if (!event.target.matches("input.bf-qty")) return;
    clearTimeout(timer);
    timer = setTimeout(reprice, 300);
  });
  priced.addEventListener("change", (event) => {
    if (!event.target.matches("input[name=coupon]")) return;
    chosen = true;
    reprice();
  });
}
