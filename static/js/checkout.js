// Checkout: refresh the page when the address or "delivery / pickup" changes (the quote, the fee and
// the slots depend on them); enable Pay once a time is chosen while the store is closed; one tap
// places one order (the server's idempotency key makes a second tap harmless anyway).
const form = document.querySelector("form.checkout");
if (form) {
  const address = form.querySelector("select[name=address_id]");
  const refresh = form.querySelector("[data-address-refresh]");
  if (refresh) refresh.hidden = true;
  const reload = () => {
    const params = new URLSearchParams();
    const mode = form.querySelector("input[name=fulfilment]:checked");
    if (mode) params.set("fulfilment", mode.value);
    if (address) params.set("address", address.value);
    const slot = form.querySelector("select[name=slot]");
    if (slot && slot.value) params.set("slot", slot.value);
    location.href = `${form.action}?${params}`;
  };
  address?.addEventListener("change", reload);
  for (const radio of form.querySelectorAll("input[name=fulfilment]")) radio.addEventListener("change", reload);
  // Closed now: Pay waits for a chosen time (the server refuses without one anyway).
  const pay = form.querySelector("[data-once]");
  const slot = form.querySelector("select[name=slot]");
  if (pay && slot && pay.dataset.block === "needs_slot") {
    const reason = form.querySelector("[data-pay-blocked]");
    const update = () => {
      pay.disabled = !slot.value;
      if (reason) reason.hidden = Boolean(slot.value);
    };
    slot.addEventListener("change", update);
    update();
  }
  // Parcels brought along: their fee (door fee once, plus storage) joins the total shown.
  const parcelRow = form.querySelector("[data-parcel-row]");
  if (parcelRow) {
    const grand = form.querySelector("[data-grand-total]");
    const payAmount = form.querySelector("[data-pay-amount]");
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
      if (payAmount) payAmount.textContent = total;
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
