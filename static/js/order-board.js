// The staff order board: fetch the columns every 5 s and swap them in; a NEW order flashes and,
// once staff have allowed it, beeps (a tone made with the Web Audio API: no sound file). Browsers
// only play sound after a tap, so the "Enable sound" toggle is that tap, remembered in localStorage.
// Also: confirm before destructive forms ([data-confirm]) and print buttons ([data-print]).
import { keepFresh } from "./live-board.js";

const POLL_MS = 5000;
const HIDDEN_POLL_MS = 15000;
const SOUND_KEY = "orderBoard.sound";

const board = document.querySelector("[data-order-board]");
const toggle = document.querySelector("[data-sound-toggle]");
const status = document.querySelector("[data-board-status]");
let audio = null;
let known = new Set();

function soundWanted() {
  try { return localStorage.getItem(SOUND_KEY) === "on"; } catch { return false; }
}

function remember(on) {
  try { localStorage.setItem(SOUND_KEY, on ? "on" : "off"); } catch { /* private mode: just this visit */ }
}

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  audio = audio || new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

// Two short rising tones, loud enough for a busy counter, soft at the edges (no clicks).
function beep() {
  const ctx = audioContext();
  if (!ctx || ctx.state !== "running") return;
  [[880, 0], [1320, 0.18]].forEach(([frequency, delay]) => {
    const start = ctx.currentTime + delay;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.35, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.17);
  });
}

function showToggle() {
  const on = soundWanted();
  toggle.setAttribute("aria-pressed", String(on));
  toggle.querySelector("[data-sound-label]").textContent = on ? toggle.dataset.labelOn : toggle.dataset.labelOff;
}

function setUpSound() {
  if (!toggle || !(window.AudioContext || window.webkitAudioContext)) return;
  toggle.hidden = false;
  showToggle();
  toggle.addEventListener("click", () => {
    const on = !soundWanted();
    remember(on);
    showToggle();
    if (on) { audioContext(); beep(); }
  });
  // Remembered "on": the browser still wants a gesture on this page before it plays anything.
  if (soundWanted()) document.addEventListener("pointerdown", () => audioContext(), { once: true });
}

function cardsIn(root) {
  return [...root.querySelectorAll("[data-order-id]")];
}

// After each swap: a card that is new since the last look flashes (and beeps).
function swapped() {
  const arrived = cardsIn(board).filter((card) => card.dataset.status === "placed" && !known.has(card.dataset.orderId));
  for (const card of arrived) card.classList.add("is-new");
  known = new Set(cardsIn(board).map((card) => card.dataset.orderId));
  showNewCount();
  if (arrived.length) announce(arrived);
}

// "(2) Orders": the tab says how many orders wait to be accepted, even from another tab.
function showNewCount() {
  const count = Number(board.querySelector("[data-new-count]")?.dataset.newCount || 0);
  const title = document.title.replace(/^\(\d+\) /, "");
  document.title = count ? `(${count}) ${title}` : title;
}

function announce(arrived) {
  if (soundWanted()) beep();
  if (status) status.textContent = arrived.map((c) => status.dataset.msgNew.replace("%n", c.dataset.orderId)).join(" · ");
}

document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

if (board) {
  known = new Set(cardsIn(board).map((card) => card.dataset.orderId));
  showNewCount();
  setUpSound();
  keepFresh(board, { url: board.dataset.liveUrl, header: "X-Order-Board", everyMs: POLL_MS,
                     hiddenEveryMs: HIDDEN_POLL_MS, swapped });
}
