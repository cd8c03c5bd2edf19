// The zone outline editor. The server draws the map (templates/geo/_map.html); this module edits
// the highlighted polygon: drag a corner to move it, drag a midpoint dot to add a corner, select
// a corner and press Delete (or the button) to remove it. Pointer events, so a finger on a
// tablet works like a mouse. Every edit rewrites the GeoJSON text box, which is what Save posts;
// without JavaScript the text box and the file upload still work.
const SVG_NS = "http://www.w3.org/2000/svg";
const HANDLE_PX = 11; // corner handle radius on screen
const MIDPOINT_PX = 7;
const ARROW_PX = 4; // an arrow key moves the selected corner this far on screen

const round6 = (value) => Math.round(value * 1e6) / 1e6;

// A GeoJSON text -> { rings } (outer ring without its closing repeat, then holes), or null.
function readPolygon(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (doc && doc.type === "FeatureCollection" && Array.isArray(doc.features) && doc.features.length === 1) doc = doc.features[0];
  if (doc && doc.type === "Feature") doc = doc.geometry;
  if (!doc || doc.type !== "Polygon" || !Array.isArray(doc.coordinates) || !Array.isArray(doc.coordinates[0])) return null;
  const [outer, ...holes] = doc.coordinates;
  const ring = outer.filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])).map((p) => [p[0], p[1]]);
  if (ring.length > 1 && ring[0][0] === ring.at(-1)[0] && ring[0][1] === ring.at(-1)[1]) ring.pop();
  return ring.length ? { ring, holes } : null;
}

function setup(form) {
  const svg = form.querySelector("svg.zone-map-editable");
  const layer = svg && svg.querySelector("[data-editor-handles]");
  const textarea = form.querySelector("[data-zone-geojson]");
  const fileInput = form.querySelector('input[type="file"]');
  const deleteButton = form.querySelector("[data-delete-vertex]");
  const status = form.querySelector("[data-editor-status]");
  if (!svg || !layer || !textarea) return;
  const msg = form.dataset;
  const view = svg.viewBox.baseVal;
  const proj = { lonMin: +svg.dataset.lonMin, latMax: +svg.dataset.latMax, kx: +svg.dataset.kx, ky: +svg.dataset.ky };
  const toXY = ([lon, lat]) => [(lon - proj.lonMin) * proj.kx, (proj.latMax - lat) * proj.ky];
  const toLonLat = ([x, y]) => [round6(x / proj.kx + proj.lonMin), round6(proj.latMax - y / proj.ky)];

  let polygon = svg.querySelector("[data-edit-polygon]");
  if (!polygon) {
    polygon = document.createElementNS(SVG_NS, "polygon");
    polygon.setAttribute("class", "zone zone-highlight");
    svg.querySelector(".map-zones").append(polygon);
  }
  let shape = readPolygon(textarea.value);
  let selected = null;
  let drag = null;

  const say = (text) => { status.textContent = text; };
  const unitsPerPx = () => view.width / (svg.getBoundingClientRect().width || view.width);

  // The pointer's position in SVG units, kept inside the map.
  function svgPoint(event) {
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
    return [Math.min(Math.max(point.x, 0), view.width), Math.min(Math.max(point.y, 0), view.height)];
  }

  function circle(className, [x, y], radius, index) {
    const c = document.createElementNS(SVG_NS, "circle");
    c.setAttribute("class", className);
    c.setAttribute("cx", x.toFixed(1));
    c.setAttribute("cy", y.toFixed(1));
    c.setAttribute("r", radius.toFixed(1));
    c.dataset.index = String(index);
    return c;
  }

  function render() {
    const ring = shape ? shape.ring : [];
    polygon.setAttribute("points", ring.map((p) => toXY(p).map((v) => v.toFixed(1)).join(",")).join(" "));
    polygon.toggleAttribute("hidden", !shape);
    const scale = unitsPerPx();
    const handles = [];
    ring.forEach((p, i) => {
      const next = ring[(i + 1) % ring.length];
      const [ax, ay] = toXY(p);
      const [bx, by] = toXY(next);
      handles.push(circle("midpoint", [(ax + bx) / 2, (ay + by) / 2], MIDPOINT_PX * scale, i));
    });
    ring.forEach((p, i) => {
      const handle = circle(i === selected ? "vertex selected" : "vertex", toXY(p), HANDLE_PX * scale, i);
      handle.setAttribute("tabindex", "0");
      handle.setAttribute("role", "button");
      handle.setAttribute("aria-label", `${p[1]}, ${p[0]}`);
      handles.push(handle);
    });
    layer.replaceChildren(...handles);
    deleteButton.disabled = selected === null;
  }

  // Write the outline back into the text box (closed ring, holes kept).
  function write() {
    const ring = shape.ring.map((p) => [p[0], p[1]]);
    ring.push([...ring[0]]);
    textarea.value = JSON.stringify({ type: "Polygon", coordinates: [ring, ...shape.holes] });
  }

  function loadText() {
    shape = readPolygon(textarea.value);
    selected = null;
    say(shape ? msg.msgHelp : msg.msgUnreadable);
    render();
  }

  function deleteSelected() {
    if (selected === null || !shape) return;
    if (shape.ring.length <= 3) {
      say(msg.msgMinCorners);
      return;
    }
    shape.ring.splice(selected, 1);
    selected = null;
    write();
    render();
  }

  layer.addEventListener("pointerdown", (event) => {
    const target = event.target.closest("circle");
    if (!target || !shape || event.button > 0) return;
    event.preventDefault();
    let index = Number(target.dataset.index);
    if (target.classList.contains("midpoint")) {
      index += 1;
      shape.ring.splice(index, 0, toLonLat(svgPoint(event)));
    }
    selected = index;
    drag = { index, pointerId: event.pointerId };
    layer.setPointerCapture(event.pointerId);
    render();
  });
  layer.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    shape.ring[drag.index] = toLonLat(svgPoint(event));
    render();
  });
  const finish = (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    drag = null;
    write();
    render();
    layer.querySelector(`.vertex[data-index="${selected}"]`)?.focus({ preventScroll: true });
  };
  layer.addEventListener("pointerup", finish);
  layer.addEventListener("pointercancel", finish);
  layer.addEventListener("focusin", (event) => {
    if (!event.target.classList.contains("vertex") || drag) return;
    const index = Number(event.target.dataset.index);
    if (index !== selected) {
      selected = index;
      render();
      layer.querySelector(`.vertex[data-index="${index}"]`)?.focus({ preventScroll: true });
    }
  });

  layer.addEventListener("keydown", (event) => {
    if (selected === null || !shape) return;
    if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      deleteSelected();
      return;
    }
    const step = ARROW_PX * unitsPerPx();
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const [x, y] = toXY(shape.ring[selected]);
    shape.ring[selected] = toLonLat([x + moves[event.key][0], y + moves[event.key][1]]);
    write();
    render();
    layer.querySelector(`.vertex[data-index="${selected}"]`)?.focus({ preventScroll: true });
  });

  deleteButton.addEventListener("click", deleteSelected);
  textarea.addEventListener("input", loadText);
  if (fileInput) {
    fileInput.addEventListener("change", async () => {
      const file = fileInput.files && fileInput.files[0];
      if (!file) return;
      textarea.value = await file.text();
      loadText();
    });
  }
  new ResizeObserver(() => render()).observe(svg);
  say(shape ? msg.msgHelp : msg.msgUnreadable);
  render();
}

document.querySelectorAll("[data-zone-editor]").forEach(setup);
