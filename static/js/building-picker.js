// The building picker: search the gazetteer (names and aliases) and "use my location".
// Without JavaScript the plain <select> still works.
const csrfSafe = (url) => fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });

function setup(picker) {
  const select = picker.querySelector("select");
  const search = picker.querySelector("[data-picker-search]");
  const locate = picker.querySelector("[data-picker-locate]");
  const status = picker.querySelector("[data-picker-status]");
  const msg = picker.dataset;
  const storeParam = new URLSearchParams(location.search).get("store");
  const withStore = (url) => (storeParam ? `${url}&store=${encodeURIComponent(storeParam)}` : url);
  search.hidden = false;
  let timer = null;

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) {
        for (const option of select.options) option.hidden = false;
        status.textContent = "";
        return;
      }
      const response = await csrfSafe(withStore(`/api/v1/buildings?q=${encodeURIComponent(q)}`));
      if (!response.ok) return;
      const ids = new Set((await response.json()).map((b) => String(b.id)));
      let first = null;
      for (const option of select.options) {
        const match = option.value === "" || ids.has(option.value);
        option.hidden = !match;
        if (match && option.value && !first) first = option;
      }
      if (first) select.value = first.value;
      status.textContent = ids.size ? msg.msgFound.replace("%n", ids.size) : msg.msgNone;
    }, 200);
  });

  // At registration: the unit is not needed for pickup at the store, and "use my location" shows
  // where the phone is against the zones, and whether we deliver there, before the account exists.
  const where = picker.closest("[data-register-where]");
  const unit = where?.querySelector("[data-unit-field]");
  const showUnit = () => { if (unit) unit.hidden = select.value === "pickup"; };
  select.addEventListener("change", showUnit);
  showUnit();

  async function explain(latitude, longitude) {
    const url = new URL(where.dataset.whereUrl, location.href);
    url.searchParams.set("lat", latitude);
    url.searchParams.set("lon", longitude);
    const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    const result = where.querySelector("[data-where-result]");
    result.innerHTML = await response.text();
    const info = result.querySelector("[data-where]");
    status.textContent = "";
    if (!info) return;
    for (const option of select.options) option.hidden = false;
    if (info.dataset.buildingId) {
      select.value = info.dataset.buildingId;
      status.textContent = msg.msgNearest.replace("%b", info.dataset.buildingName).replace("%m", info.dataset.distanceM);
    } else if (info.dataset.delivers === "no") {
      select.value = "pickup";
    }
    showUnit();
  }

  if (!("geolocation" in navigator)) return;
  locate.hidden = false;
  locate.addEventListener("click", () => {
    status.textContent = msg.msgLocating;
    navigator.geolocation.getCurrentPosition(async (position) => {
      const { latitude, longitude } = position.coords;
      if (where) {
        await explain(latitude, longitude);
        return;
      }
      const response = await csrfSafe(withStore(`/api/v1/buildings/nearest?lat=${latitude}&lon=${longitude}`));
      const body = await response.json();
      if (!response.ok) {
        status.textContent = body.error;
        return;
      }
      for (const option of select.options) option.hidden = false;
      select.value = String(body.building.id);
      status.textContent = msg.msgNearest.replace("%b", body.building.name).replace("%m", body.distance_m);
    }, () => { status.textContent = msg.msgDenied; }, { enableHighAccuracy: true, timeout: 10000 });
  });
}

document.querySelectorAll("[data-building-picker]").forEach(setup);
