// Record a voice note in the browser (MediaRecorder) and send it with the form.
const form = document.querySelector("[data-voice-form]");

function setup() {
  const box = form.querySelector("[data-recorder]");
  const button = form.querySelector("[data-record]");
  const status = form.querySelector("[data-voice-status]");
  const preview = form.querySelector("[data-preview]");
  const input = form.querySelector("[data-audio-input]");
  if (!("MediaRecorder" in window) || !navigator.mediaDevices?.getUserMedia) return;
  box.hidden = false;
  let recorder = null;
  let started = 0;

  button.addEventListener("click", async () => {
    if (recorder && recorder.state === "recording") {
      recorder.stop();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      status.textContent = form.dataset.msgDenied;
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      const type = recorder.mimeType || "audio/webm";
      const blob = new Blob(chunks, { type });
      const ext = type.includes("mp4") ? "m4a" : type.includes("ogg") ? "ogg" : "webm";
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], `voice.${ext}`, { type }));
      input.files = transfer.files;
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      const seconds = Math.round((Date.now() - started) / 1000);
      status.textContent = form.dataset.msgRecorded.replace("%s", seconds);
    });
    started = Date.now();
    recorder.start();
    status.textContent = form.dataset.msgRecording;
    setTimeout(() => { if (recorder.state === "recording") recorder.stop(); }, 60000);
  });
}

if (form) setup();
