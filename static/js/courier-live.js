// The courier's page stays live: every 10 s while the page is shown, ask /courier/live whether
// anything changed, sending the last ETag (If-None-Match). Nothing changed: an empty 304. Something
// changed (a task given, changed or withdrawn): the fragment comes back and only the blocks whose
// `data-live-version` changed are redrawn, so a code being typed in another card is kept.
//
// Why short polls with an ETag rather than server-sent events: a phone on a bike hops between cells
// and Wi-Fi, and a long-lived stream dies silently there (and ties up a sync gunicorn worker per
// courier, and is buffered by some proxies); a short request either answers or fails, and the next
// one simply starts afresh. Polling pauses while the page is hidden and runs at once when it is
// shown again or the phone is back online.
//
// A new task announces itself: a short beep (Web Audio, no sound file), a vibration, and a message
// in an aria-live region for screen readers.

const root = document.querySelector("[data-courier-live]");
const EVERY_MS = 10000;
const MAX_BACKOFF_MS = 30000;
const MARKER = "X-Courier-Live";

let etag = root ? `"${root.dataset.etag}"` : null;
let timer = null;
let failures = 0;
let inFlight = false;
let audio = null;

function isApple() {
  return /iPhone|iPad|iPod/.test(navigator.userAgent)
    || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

// geo: opens the map app on Android; iPhones do not know it, so they get Apple Maps instead.
function fixNavLinks(scope) {
  if (!isApple()) return;
  for (const link of scope.querySelectorAll("[data-nav-geo][data-apple]")) {
    link.setAttribute("href", link.dataset.apple);
  }
}

// Browsers only let a page make sounds after the person touched it: open the audio then.
function unlockAudio() {
  if (audio || !(window.AudioContext || window.webkitAudioContext)) return;
  try {
    audio = new (window.AudioContext || window.webkitAudioContext)();
  } catch {
    audio = null;
  }
}

function beep() {
  if (!audio) return;
  if (audio.state === "suspended") audio.resume().catch(() => {});
  const now = audio.currentTime;
  for (const [start, freq] of [[0, 880], [0.22, 1175]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + start);
    gain.gain.exponentialRampToValueAtTime(0.3, now + start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + start + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + start);
    osc.stop(now + start + 0.2);
  }
}

function say(text) {
  const news = document.querySelector("[data-live-news]");
  if (!news || !text) return;
  news.textContent = "";
  // A fresh text node after clearing makes screen readers read it even when it repeats.
  setTimeout(() => { news.textContent = text; }, 50);
}

function offline(show) {
  const note = document.querySelector("[data-live-offline]");
  if (!note) return;
  note.textContent = root.dataset.msgOffline;
  note.hidden = !show;
}

function taskIds(scope) {
  return new Map([...scope.querySelectorAll("[data-task-id]")].map((el) => [el.dataset.taskId, el.dataset.orderId]));
}

// Carry what the courier typed or opened from the old block into its redrawn copy.
function carryState(from, to) {
  for (const input of from.querySelectorAll("input[name]:not([type=hidden]):not([type=file]), textarea[name]")) {
    const twin = input.id ? to.querySelector(`#${CSS.escape(input.id)}`) : null;
    if (!twin) continue;
    if (input.type === "radio" || input.type === "checkbox") twin.checked = input.checked;
    else twin.value = input.value;
  }
  const opened = [...from.querySelectorAll("details")].map((d) => d.open);
  [...to.querySelectorAll("details")].forEach((d, i) => { if (opened[i]) d.open = true; });
}

function swap(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const before = taskIds(root);
  const old = new Map([...root.children].filter((el) => el.dataset.liveKey).map((el) => [el.dataset.liveKey, el]));
  const active = document.activeElement;
  const activeId = active && root.contains(active) ? active.id : null;
  const wanted = [];
  for (const fresh of [...template.content.children]) {
    const key = fresh.dataset.liveKey;
    const current = key ? old.get(key) : null;
    if (current && current.dataset.liveVersion === fresh.dataset.liveVersion) {
      wanted.push(current);
    } else {
      if (current) carryState(current, fresh);
      fixNavLinks(fresh);
      wanted.push(fresh);
    }
  }
  // Put the blocks in order, moving only what is out of place (moving a node loses its focus).
  let cursor = root.firstElementChild;
  for (const el of wanted) {
    if (el === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      root.insertBefore(el, cursor);
    }
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
  if (activeId && document.activeElement !== active) document.getElementById(activeId)?.focus();
  const after = taskIds(root);
  const added = [...after.keys()].filter((id) => !before.has(id)).map((id) => `#${after.get(id)}`);
  const gone = [...before.keys()].filter((id) => !after.has(id)).map((id) => `#${before.get(id)}`);
  const news = [];
  if (added.length) {
    news.push(root.dataset.msgNew.replace("{ids}", added.join(", ")));
    beep();
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }
  if (gone.length) news.push(root.dataset.msgGone.replace("{ids}", gone.join(", ")));
  say(news.join(" "));
  document.dispatchEvent(new CustomEvent("courier-live:swapped"));
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
      // A login page after the session lapsed, or an error page: show the real page.
      if (response.redirected) window.location.reload();
      throw new Error(`unexpected answer ${response.status}`);
    }
    const shift = response.headers.get("X-Courier-Shift") ?? "";
    if (shift !== root.dataset.shift) {
      window.location.reload(); // the shift started or ended elsewhere: the whole page changes
      return;
    }
    if (response.status === 200) {
      const html = await response.text();
      etag = response.headers.get("ETag") || etag;
      swap(html);
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

if (root) {
  fixNavLinks(document);
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, unlockAudio, { once: true, passive: true });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else poll();
  });
  window.addEventListener("online", () => { failures = 0; poll(); });
  window.addEventListener("offline", () => offline(true));
  schedule(EVERY_MS);
}
