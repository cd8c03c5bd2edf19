// The counter's parcel handover. A keyboard-wedge scanner types the resident's code (or a label)
// and Enter, which submits the form natively; this module only keeps the cursor where the next scan
// goes, tidies what a scanner or a thumb typed, and shows the storage fee of the ticked parcels.
import { scannerField } from "./scanner-field.js";

const codeField = document.querySelector("[data-handover-code] input[name='code']");
const confirmForm = document.querySelector("[data-handover-confirm]");

scannerField(codeField, () => Boolean(confirmForm));

function money(cents, symbol) {
  return `${symbol}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

if (confirmForm) {
  const total = confirmForm.querySelector("[data-fee-total]");
  const boxes = [...confirmForm.querySelectorAll("input[name='parcel_id']")];
  const update = () => {
    if (!total) return;
    const cents = boxes.filter((box) => box.checked).reduce((sum, box) => sum + Number(box.dataset.fee || 0), 0);
    total.textContent = money(cents, total.dataset.symbol || "¥");
  };
  boxes.forEach((box) => box.addEventListener("change", update));
  update();
  // One tap is one handover: a second submit while the first is on its way does nothing.
  confirmForm.addEventListener("submit", (event) => {
    if (confirmForm.dataset.sent) event.preventDefault();
    confirmForm.dataset.sent = "1";
  });
  window.addEventListener("pageshow", () => { delete confirmForm.dataset.sent; });
}
