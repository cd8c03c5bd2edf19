// Checkout: refresh the page when the address or "delivery / pickup" changes (the quote, the fee and
// the slots depend on them); enable Pay once a time is chosen while the store is closed; one tap
// places one order (the server's idempotency key makes a second tap harmless anyway). Ticking a
// coupon asks the server for the new discount and total (no reload); the expected total follows.
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
    params.set("coupons_chosen", "1");
    for (const box of form.querySelectorAll("input[name=coupon_ids]:checked")) params.append("coupon_ids", box.value);
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
  const grand = form.querySelector("[data-grand-total]");
  const payAmount = form.querySelector("[data-pay-amount]");
  const money = (cents) => `¥${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  const showTotal = () => {
    let fee = 0;
    if (parcelRow) {
      const ticked = [...form.querySelectorAll("input[name=parcel_ids]:checked")];
      fee = ticked.length
        ? Number(parcelRow.dataset.doorFeeCents) + ticked.reduce((sum, box) => sum + Number(box.dataset.feeCents), 0)
        : 0;
      parcelRow.hidden = fee === 0;
      parcelRow.querySelector("[data-parcel-fee]").textContent = money(fee);
    }
    const total = money(Number(grand.dataset.goodsCents) + fee);
    grand.textContent = total;
    if (payAmount) payAmount.textContent = total;
  };
  // Coupons: the server prices the ticked ones (it keeps only those that combine) and says the total.
  const coupons = form.querySelector("[data-price-url]");
  const discountRow = form.querySelector("[data-discount-row]");
  const expected = form.querySelector("input[name=expected_total_cents]");
  const reprice = async () => {
    const params = new URLSearchParams();
    const mode = form.querySelector("input[name=fulfilment]:checked");
    if (mode) params.set("fulfilment", mode.value);
    if (address) params.set("address", address.value);
    for (const box of form.querySelectorAll("input[name=coupon_ids]:checked")) params.append("coupon_ids", box.value);
    const answer = await fetch(`${coupons.dataset.priceUrl}?${params}`, { headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    const priced = await answer.json();
    for (const box of form.querySelectorAll("input[name=coupon_ids]")) {
      box.checked = priced.chosen.includes(Number(box.value));
    }
    discountRow.hidden = priced.discount_cents === 0;
    discountRow.querySelector("[data-discount]").textContent = `−${priced.discount}`;
    grand.dataset.goodsCents = priced.total_cents;
    if (expected) expected.value = priced.total_cents;
    showTotal();
  };
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[name=parcel_ids]")) showTotal();
    if (coupons && event.target.matches("input[name=coupon_ids]")) reprice();
  });
  form.addEventListener("submit", (event) => {
    const button = form.querySelector("[data-once]");
    if (event.submitter === button) {
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
}
