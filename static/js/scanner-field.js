// A code field fed by a keyboard-wedge scanner (the digits, then Enter, which submits its form
// natively) or a thumb: the cursor goes back to it for the next scan (after a reload, and when the
// page comes back from the bfcache) unless ``busy()`` says staff are working elsewhere on the page,
// and full-width digits from a Chinese keyboard or spaces ("123 456") are tidied to plain digits.
export function scannerField(codeField, busy = () => false) {
  if (!codeField) return;
  const focusCode = () => {
    if (!busy() && document.activeElement === document.body) {
      codeField.focus();
      codeField.select();
    }
  };
  focusCode();
  window.addEventListener("pageshow", focusCode);
  codeField.addEventListener("input", () => {
    const tidy = codeField.value.normalize("NFKC").replace(/\s+/g, "");
    if (tidy !== codeField.value) codeField.value = tidy;
  });
}
