// Every page: when the server sent a form back with errors, bring the first one into view and give
// it focus, so nobody has to hunt for a message below the fold (the zone editor's outline, a long
// check-in form), and a screen reader reads it at once. A field is focused itself (its label, its
// invalid state and its message are read through aria-describedby); a message without a field (a
// flash, an error summary) gets a tabindex of -1 so that it can take focus.
const SELECTOR = '.flashes .flash-error, [data-error-summary], [aria-invalid="true"], .has-error';

function firstError() {
  for (const element of document.querySelectorAll(SELECTOR)) {
    if (element.closest("[hidden]") || !element.getClientRects().length) continue;
    if (element.classList.contains("has-error")) {
      return element.querySelector('[aria-invalid="true"], input, select, textarea') || element;
    }
    return element;
  }
  return null;
}

const target = firstError();
if (target && !document.querySelector("[autofocus]:focus")) {
  if (!target.matches("input, select, textarea, button, a[href], [tabindex]")) target.setAttribute("tabindex", "-1");
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}
