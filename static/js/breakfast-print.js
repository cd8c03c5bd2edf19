// The kitchen's printable pages (labels, a child's pickup card): the print button appears only where
// a script can print.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
