// Checkout: refresh the quote when the address changes; one tap places one order (the server's
// idempotency key makes a second tap harmless anyway).
const form = document.querySelector("form.checkout");
if (form) {
  const address = form.querySelector("select[name=address_id]");
  const refresh = form.querySelector("[data-address-refresh]");
  if (refresh) refresh.hidden = true;
  address?.addEventListener("change", () => {
    location.href = `${form.action}?address=${encodeURIComponent(address.value)}`;
  });
  // Parcels brought along: their fee (door fee once, plus storage) joins the total shown.
  const parcelRow = form.querySelector("[data-parcel-row]");
  if (parcelRow) {
    const grand = form.querySelector("[data-grand-total]");
    const pay = form.querySelector("[data-pay-amount]");
    const money = (cents) => `¥${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
    const update = () => {
      const ticked = [...form.querySelectorAll("input[name=parcel_ids]:checked")];
      const fee = ticked.length
        ? Number(parcelRow.dataset.doorFeeCents) + ticked.reduce((sum, box) => sum + Number(box.dataset.feeCents), 0)
        : 0;
      const total = money(Number(grand.dataset.goodsCents) + fee);
      parcelRow.hidden = fee === 0;
      parcelRow.querySelector("[data-parcel-fee]").textContent = money(fee);
      grand.textContent = total;
      if (pay) pay.textContent = total;
    };
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[name=parcel_ids]")) update();
    });
  }
  form.addEventListener("submit", (event) => {
    const button = form.querySelector("[data-once]");
    if (event.submitter === button) {
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
}
