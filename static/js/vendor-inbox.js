// The vendor's inbox stays live: every 10 s while the page is shown, ask /vendor/jobs/live whether
// anything changed, sending the last ETag (If-None-Match). Nothing changed: an empty 304. Something
// changed (a job offered, taken by someone else, a step made): the fragment comes back and replaces
// the list; a newly offered job is announced in the aria-live region (and with a vibration).
// Short polls rather than a stream, for the reasons given in courier-live.js.
//
// Countdowns: each <time data-deadline> shows the minutes and seconds left to answer, updated every
// second. The server decides: an answer after the deadline is refused there whatever this shows.

const root = document.querySelector("[data-vendor-jobs]");
const EVERY_MS = 10000;
const MAX_BACKOFF_MS = 30000;
const MARKER = "X-Vendor-Jobs";

let etag = root ? `"${root.dataset.etag}"` : null;
let timer = null;
let failures = 0;
let inFlight = false;

function say(text) {
  const news = document.querySelector("[data-live-news]");
  if (!news || !text) return;
  news.textContent = "";
  setTimeout(() => { news.textContent = text; }, 50);
}

function offline(show) {
  const note = document.querySelector("[data-live-offline]");
  if (!note || !root) return;
  note.textContent = root.dataset.msgOffline;
  note.hidden = !show;
}

function offeredIds(scope) {
  return new Set([...scope.querySelectorAll("[data-deadline]")].map((el) => el.closest("[data-job-id]")?.dataset.jobId));
}

function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll("time[data-deadline]")) {
    const left = Math.max(0, Math.floor((Date.parse(el.dataset.deadline) - now) / 1000));
    if (left === 0) {
      el.textContent = root ? root.dataset.msgOver : el.textContent;
      el.classList.add("over");
      continue;
    }
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    el.textContent = `${minutes}:${seconds}`;
  }
}

function swap(html) {
  const before = offeredIds(root);
  root.innerHTML = html;
  const added = [...offeredIds(root)].filter((id) => id && !before.has(id)).map((id) => `#${id}`);
  tick();
  if (added.length) {
    say(root.dataset.msgNew.replace("{ids}", added.join(", ")));
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }
  document.dispatchEvent(new CustomEvent("vendor-inbox:swapped"));
}

function schedule(delay) {
  clearTimeout(timer);
  timer = document.hidden ? null : setTimeout(poll, delay);
}

async function poll() {
  if (inFlight) return;
  inFlight = true;
  try {
    const response = await fetch(root.dataset.liveUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html", "If-None-Match": etag },
    });
    if (response.headers.get(MARKER) !== "1") {
      if (response.redirected) window.location.reload();
      throw new Error(`unexpected answer ${response.status}`);
    }
    if (response.status === 200) {
      etag = response.headers.get("ETag") || etag;
      swap(await response.text());
    }
    failures = 0;
    offline(false);
  } catch {
    failures += 1;
    if (failures >= 2 || !navigator.onLine) offline(true);
  } finally {
    inFlight = false;
    schedule(Math.min(EVERY_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS));
  }
}

tick();
setInterval(tick, 1000);
if (root) {
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else poll();
  });
  window.addEventListener("online", () => { failures = 0; poll(); });
  window.addEventListener("offline", () => offline(true));
  schedule(EVERY_MS);
}
