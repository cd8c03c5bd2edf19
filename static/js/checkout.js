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
  form.addEventListener("submit", (event) => {
    const button = form.querySelector("[data-once]");
    if (event.submitter === button) {
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
}
