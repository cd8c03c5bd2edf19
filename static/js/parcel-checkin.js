// The counter's check-in pages. Everything works without this script (plain form posts); with it:
// - a USB scanner's Enter in the tracking field moves on to the next field instead of sending the form;
// - the tablet's camera reads the barcode where the browser has BarcodeDetector (the button stays hidden otherwise);
// - the proposed slot follows the chosen size;
// - batch mode saves with fetch and keeps the page: the running list grows, the cursor goes back to the
//   tracking field, a refusal is shown next to its field with what was typed kept;
// - [data-print] buttons print the label.

function nextField(input) {
  const fields = [...input.form.querySelectorAll("input:not([type=hidden]), select, textarea")]
    .filter((el) => !el.disabled && !el.readOnly && el.offsetParent !== null);
  return fields[fields.indexOf(input) + 1] || null;
}

// A scanner types the number and presses Enter: go to the next field rather than sending half a form.
function scannerEnter(input) {
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    if (!input.value.trim()) return;
    nextField(input)?.focus();
  });
}

// ---- the camera ------------------------------------------------------------------------------------

async function makeDetector() {
  const wanted = ["code_128", "code_39", "code_93", "codabar", "ean_13", "ean_8", "itf", "upc_a", "qr_code",
    "data_matrix", "pdf417"];
  const supported = await window.BarcodeDetector.getSupportedFormats();
  const formats = wanted.filter((format) => supported.includes(format));
  return formats.length ? new window.BarcodeDetector({ formats }) : null;
}

function cameraScan(button) {
  const box = button.closest(".scan-field");
  const input = document.getElementById(button.dataset.scanTarget);
  const panel = box.querySelector("[data-scan-panel]");
  const video = box.querySelector("[data-scan-video]");
  const status = box.querySelector("[data-scan-status]");
  let stream = null;
  let running = false;

  function stop() {
    running = false;
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    panel.hidden = true;
  }

  async function look(detector) {
    if (!running) return;
    try {
      const found = await detector.detect(video);
      const value = found.map((code) => code.rawValue.trim()).find(Boolean);
      if (value) {
        input.value = value;
        stop();
        nextField(input)?.focus();
        return;
      }
    } catch { /* the frame was not ready: try the next one */ }
    setTimeout(() => look(detector), 150);
  }

  button.hidden = false;
  button.addEventListener("click", async () => {
    if (running) { stop(); return; }
    try {
      const detector = await makeDetector();
      if (!detector) throw new Error("no format");
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      panel.hidden = false;
      await video.play();
      status.textContent = "";
      running = true;
      look(detector);
    } catch {
      stop();
      status.textContent = button.dataset.msgNoCamera;
      input.focus();
    }
  });
  box.querySelector("[data-scan-stop]")?.addEventListener("click", () => { stop(); input.focus(); });
  window.addEventListener("pagehide", stop);
}

// ---- the proposed slot follows the size ---------------------------------------------------------------

function followSize(form) {
  const size = form.querySelector("select[name=size]");
  const proposals = form.querySelectorAll("[data-proposal]");
  if (!size || !proposals.length) return;
  size.addEventListener("change", () => {
    proposals.forEach((item) => item.classList.toggle("is-current", item.dataset.proposal === size.value));
  });
}

// ---- batch mode ------------------------------------------------------------------------------------

function batchMode(form) {
  const tracking = form.querySelector("input[name=tracking_number]");
  const phone = form.querySelector("input[name=recipient_phone]");
  const list = document.querySelector("[data-saved-list]");
  const template = document.querySelector("[data-saved-template]");
  const count = document.querySelector("[data-saved-count]");
  const empty = document.querySelector("[data-saved-empty]");
  let queue = Promise.resolve();

  function showError(name, message) {
    const slot = form.querySelector(`[data-error-for="${name}"]`) || form.querySelector('[data-error-for="form"]');
    slot.textContent = message;
    slot.hidden = false;
    const field = form.elements[name];
    if (field && field.closest) {
      field.closest(".field")?.classList.add("has-error");
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", slot.id || "");
    }
    return field && field.focus ? field : null;
  }

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach((slot) => { slot.hidden = true; slot.textContent = ""; });
    form.querySelectorAll(".has-error").forEach((box) => box.classList.remove("has-error"));
    form.querySelectorAll("[aria-invalid]").forEach((field) => {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
  }

  function addRow(saved) {
    const row = template.content.firstElementChild.cloneNode(true);
    const link = row.querySelector(".saved-label");
    link.textContent = saved.label;
    link.href = saved.url;
    row.querySelector(".saved-tracking").textContent = saved.tracking;
    row.querySelector(".saved-phone").textContent = saved.phone;
    const badge = row.querySelector(".badge");
    badge.textContent = saved.who;
    badge.classList.add(saved.matched ? "ok" : "warn");
    list.querySelectorAll(".is-latest").forEach((old) => old.classList.remove("is-latest"));
    list.prepend(row);
    count.textContent = String(list.querySelectorAll(".saved-label").length);
    if (empty) empty.hidden = true;
  }

  function addRefusedRow(typed, message) {
    const row = template.content.firstElementChild.cloneNode(true);
    row.classList.remove("is-latest");
    row.classList.add("is-refused");
    row.querySelector(".saved-label").remove();
    row.querySelector(".saved-tracking").textContent = typed.tracking;
    row.querySelector(".saved-phone").textContent = typed.phone;
    const badge = row.querySelector(".badge");
    badge.textContent = message;
    badge.classList.add("warn");
    list.prepend(row);
    if (empty) empty.hidden = true;
  }

  function showGauge(gauge) {
    const meter = document.querySelector("[data-gauge-meter]");
    const text = document.querySelector("[data-gauge-text]");
    if (meter) { meter.max = gauge.capacity; meter.value = gauge.used; }
    if (text) text.textContent = gauge.text;
  }

  async function send(data, typed) {
    let response;
    let body = {};
    try {
      response = await fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" },
      });
      body = await response.json();
    } catch {
      // No answer we can read: the plain form post does it (and shows the result).
      tracking.value = typed.tracking;
      phone.value = typed.phone;
      form.submit();
      return;
    }
    if (response.ok && body.saved) {
      addRow(body.saved);
      if (body.gauge) showGauge(body.gauge);
      return;
    }
    // Refused: nothing was saved. Put what was typed back; if the next parcel is being typed already,
    // the refused one goes in the list instead, so it is not forgotten.
    const errors = body.errors || { form: body.error || String(response.status) };
    if (tracking.value || phone.value) {
      addRefusedRow(typed, Object.values(errors).join(" "));
      return;
    }
    tracking.value = typed.tracking;
    phone.value = typed.phone;
    let focus = null;
    for (const [name, message] of Object.entries(errors)) {
      focus = showError(name, message) || focus;
    }
    (focus || tracking).focus();
    (focus || tracking).select?.();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!tracking.value.trim()) { tracking.focus(); return; }
    if (!phone.value.trim()) { phone.focus(); return; }
    clearErrors();
    const data = new FormData(form);
    const typed = { tracking: tracking.value, phone: phone.value };
    // Ready for the next parcel at once; the saves go one after another, in the order typed.
    tracking.value = "";
    phone.value = "";
    tracking.focus();
    queue = queue.then(() => send(data, typed));
  });
}

// ---- wiring ----------------------------------------------------------------------------------------

document.querySelectorAll("input[data-tracking]").forEach(scannerEnter);
if ("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia) {
  document.querySelectorAll("[data-scan-camera]").forEach(cameraScan);
}
document.querySelectorAll("[data-checkin-form]").forEach(followSize);
document.querySelectorAll("[data-batch-form]").forEach(batchMode);
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
