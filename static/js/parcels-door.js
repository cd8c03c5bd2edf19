// "Bring my parcels to my door": ticking a parcel or changing the address shows the new fee at
// once (the page is asked again, as the "Update" button does without JavaScript); one tap pays once.
const form = document.querySelector("form[data-door-form]");
if (form) {
  const refresh = form.querySelector("[data-door-refresh]");
  if (refresh) {
    refresh.hidden = true;
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[name=parcel_ids], select[name=address_id]")) {
        form.requestSubmit(refresh);
      }
    });
  }
  form.addEventListener("submit", (event) => {
    const button = form.querySelector("[data-once]");
    if (event.submitter === button) {
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
}
