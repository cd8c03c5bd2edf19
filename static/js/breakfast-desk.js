// The breakfast pickup desk. A keyboard-wedge scanner types the child's code and Enter, which submits
// the form natively; this module keeps the cursor in the code field for the next scan, tidies what a
// scanner or a thumb typed, and makes one tap one handover.
import { scannerField } from "./scanner-field.js";

const codeField = document.querySelector("[data-desk-code] input[name='code']");
const found = document.querySelector("[data-desk-found]");

scannerField(codeField, () => Boolean(found));

for (const form of document.querySelectorAll("[data-hand-over]")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) event.preventDefault();
    form.dataset.sent = "1";
  });
  window.addEventListener("pageshow", () => { delete form.dataset.sent; });
}
