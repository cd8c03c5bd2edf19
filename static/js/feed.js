// The shop feed: a waterfall layout, the next page as you scroll, and "Add" without leaving the page.
// Without JavaScript the grid is a plain two-column grid, "More" is a link and "Add" a form post.
const ROW_PX = 4; // grid-auto-rows of .feed-grid.is-masonry
const GAP_PX = 10;

function waterfall(grid) {
  if (!("ResizeObserver" in window)) return () => {};
  const place = (card) => {
    card.style.gridRowEnd = `span ${Math.ceil((card.getBoundingClientRect().height + GAP_PX) / ROW_PX)}`;
  };
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => place(entry.target)));
  const watch = (cards) => cards.forEach((card) => { place(card); observer.observe(card); });
  grid.classList.add("is-masonry");
  watch([...grid.children]);
  return watch;
}

function fragmentUrl(href) {
  const url = new URL(href, window.location.href);
  url.searchParams.set("fragment", "1");
  return url;
}

function infiniteScroll(grid, watch) {
  let observer = null;

  async function loadMore(link) {
    if (link.dataset.busy) return;
    link.dataset.busy = "1";
    const label = link.textContent;
    link.textContent = link.dataset.loading;
    try {
      const response = await fetch(fragmentUrl(link.href), { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const cards = [...page.querySelectorAll("[data-feed-grid] > li")].map((card) => document.adoptNode(card));
      grid.append(...cards);
      watch(cards);
      const box = document.querySelector("[data-feed-more-box]");
      const fresh = page.querySelector("[data-feed-more-box]");
      if (box && fresh) box.replaceWith(document.adoptNode(fresh));
      follow();
    } catch {
      link.textContent = label; // the link still works: a tap loads the next page the plain way
      delete link.dataset.busy;
    }
  }

  function follow() {
    const link = document.querySelector("[data-feed-more]");
    if (!link) return;
    link.addEventListener("click", (event) => { event.preventDefault(); loadMore(link); });
    if (!("IntersectionObserver" in window)) return;
    observer?.disconnect();
    observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore(link);
    }, { rootMargin: "600px 0px" });
    observer.observe(link);
  }

  follow();
}

function toast(text, isError) {
  const box = document.querySelector("[data-feed-toast]");
  if (!box || !text) return;
  box.textContent = text;
  box.classList.toggle("is-error", Boolean(isError));
  box.hidden = false;
  clearTimeout(box.timer);
  box.timer = setTimeout(() => { box.hidden = true; }, 2500);
}

function quickAdd() {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-add-form]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.includes("application/json")) throw new Error("not json"); // e.g. logged out: do it the plain way
      const body = await response.json();
      if (!response.ok) {
        toast(body.error, true);
        return;
      }
      button.classList.add("is-added");
      button.querySelector("span").textContent = button.dataset.added;
      for (const badge of document.querySelectorAll("[data-cart-count]")) {
        badge.textContent = body.count;
        badge.hidden = !body.count;
      }
      toast(button.dataset.added, false);
    } catch {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
}

const grid = document.querySelector("[data-feed-grid]");
if (grid) infiniteScroll(grid, waterfall(grid));
quickAdd();
