// Move the courier's dot on a server-drawn route map (templates/geo/_route_map.html).
// The projection is the one store_app/geo/maps.py used: x = (lon - lonMin) * kx, y = (latMax - lat) * ky.

export function placeCourier(svg, lat, lon) {
  const dot = svg && svg.querySelector("[data-courier-dot]");
  if (!dot) return;
  if (typeof lat !== "number" || typeof lon !== "number") {
    dot.setAttribute("hidden", "");
    return;
  }
  const d = svg.dataset;
  const clamp = (v, max) => Math.min(Math.max(v, 0), max);
  const x = clamp((lon - Number(d.lonMin)) * Number(d.kx), Number(d.width));
  const y = clamp((Number(d.latMax) - lat) * Number(d.ky), Number(d.height));
  dot.setAttribute("transform", `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  dot.removeAttribute("hidden");
  const line = svg.querySelector("[data-route-line]");
  if (line) {
    // The line starts where the courier is.
    const points = line.getAttribute("points").split(" ");
    points[0] = `${x.toFixed(1)},${y.toFixed(1)}`;
    line.setAttribute("points", points.join(" "));
  }
}
