// The countdown to a breakfast day's cutoff ([data-countdown]). The server says how many seconds
// are left (data-seconds-left) when it renders the page; the page counts down from there with the
// browser's monotonic clock (performance.now), so a phone whose clock is wrong shows the right time.
// At zero it says the cutoff has passed and reloads once, so the page shows what may still be done.
const started = performance.now();

function format(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

const timers = [...document.querySelectorAll("[data-countdown]")];

function tick() {
  const elapsed = Math.floor((performance.now() - started) / 1000);
  let passed = false;
  for (const timer of timers) {
    const left = Number(timer.dataset.secondsLeft) - elapsed;
    const value = timer.querySelector("[data-countdown-value]");
    if (left <= 0) {
      if (!timer.classList.contains("is-passed")) {
        timer.classList.add("is-passed");
        timer.textContent = timer.dataset.msgPassed;
        passed = true;
      }
    } else if (value) {
      value.textContent = format(left);
    }
  }
  if (passed) window.setTimeout(() => window.location.reload(), 2000);
}

if (timers.length) {
  tick();
  window.setInterval(tick, 1000);
}

// A page whose state changes by itself (the Breakfast tab: a waitlist offer arrives, a day is
// frozen) reloads every [data-refresh-every] seconds, unless the parent is in the middle of
// something (a skip's confirmation open, a field focused).
const refresher = document.querySelector("[data-refresh-every]");

function busy() {
  const active = document.activeElement;
  return document.querySelector("details[open]") || (active && active.matches("input, select, textarea"));
}

if (refresher) {
  const everyMs = Number(refresher.dataset.refreshEvery) * 1000;
  const again = () => (busy() || document.hidden ? window.setTimeout(again, everyMs) : window.location.reload());
  window.setTimeout(again, everyMs);
}
