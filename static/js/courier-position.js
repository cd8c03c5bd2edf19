// While the courier is on shift: watch the phone's position, post the latest one every 15 s to
// /courier/position, and move "You" on the route map. Nothing is posted without a new position.
import { placeCourier } from "./route-map.js";

const status = document.querySelector("[data-position-status]");
const INTERVAL_MS = 15000;
let latest = null;
let sent = null;

function say(key) {
  if (status) status.textContent = status.dataset[key];
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

async function send() {
  if (latest && latest !== sent) {
    const position = latest;
    try {
      const response = await fetch(status.dataset.postUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ lat: position.coords.latitude, lon: position.coords.longitude }),
      });
      if (response.status === 409) {
        say("msgOffShift");
        return; // the shift has ended: stop sharing
      }
      if (response.ok) {
        sent = position;
        say("msgSharing");
      }
    } catch (error) {
      // No signal for a moment: the next tick sends the newest position.
    }
  }
  setTimeout(send, INTERVAL_MS);
}

function placeLatest() {
  if (latest) {
    placeCourier(document.querySelector(".courier-route [data-route-map]"),
                 latest.coords.latitude, latest.coords.longitude);
  }
}

// courier-live.js redrew the route: put "You" back where the phone is.
document.addEventListener("courier-live:swapped", placeLatest);

if (status) {
  if (!("geolocation" in navigator)) {
    say("msgUnsupported");
  } else {
    navigator.geolocation.watchPosition(
      (position) => {
        const first = latest === null;
        latest = position;
        placeLatest();
        if (first) send();
      },
      () => say("msgDenied"),
      { enableHighAccuracy: true, maximumAge: 10000, timeout: 20000 },
    );
  }
}
