// The console menu (templates/_console_nav.html): <details> menus that already open without
// JavaScript. This adds what a keyboard and a screen reader expect of a menu button: aria-expanded
// on each summary, one menu open at a time, Escape closes it and gives focus back to its button,
// a click or a focus outside closes it; opening moves nothing, so Tab walks into the menu's links.
const menus = [...document.querySelectorAll("[data-nav-menu]")];

function sync(menu) {
  menu.querySelector("summary").setAttribute("aria-expanded", menu.open ? "true" : "false");
  // An open panel ends at the bottom of the screen (and scrolls inside), however tall the bar above it.
  const panel = menu.open && menu.querySelector(".nav-drawer-panel");
  if (panel) panel.style.maxHeight = `${Math.max(160, window.innerHeight - panel.getBoundingClientRect().top)}px`;
}

for (const menu of menus) {
  sync(menu);
  menu.addEventListener("toggle", () => {
    sync(menu);
    if (menu.open) for (const other of menus) if (other !== menu && other.open) other.open = false;
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
}

function closeOutside(event) {
  for (const menu of menus) if (menu.open && !menu.contains(event.target)) menu.open = false;
}
document.addEventListener("click", closeOutside);
document.addEventListener("focusin", closeOutside);
