// A service booking's confirm page: choosing another coupon (or none) updates the line "Price · Coupon ·
// You pay" at once from the chosen radio's data-discount (the server priced each choice when it drew
// the page, and prices it again when the booking is placed).
const total = document.querySelector("[data-booking-total]");
const form = total?.closest("form");
if (total && form) {
  const money = (cents) => `¥${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  form.addEventListener("change", (event) => {
    if (!event.target.matches("input[name=coupon]")) return;
    const cents = Number(event.target.dataset.discount || 0);
    total.querySelector("[data-coupon-part]").hidden = cents === 0;
    total.querySelector("[data-discount-text]").textContent = money(cents);
    total.querySelector("[data-pay-text]").textContent = money(Number(total.dataset.priceCents) - cents);
  });
}
