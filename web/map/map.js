// A dependency-free canvas map over the OGC API collections: it pages through each
// layer by its rel=next links, draws lon/lat polygons in an equirectangular view scaled
// by cos(latitude), and shows a feature's properties on click.
"use strict";
const canvas = document.getElementById("map");
const ctx = canvas.getContext("2d");
const layers = { districts: [], block_lines: [], parcels: [] };
const visible = { districts: true, block_lines_1: true, block_lines_2: true, parcels: true };
let view = { cx: 120.7, cy: 27.85, scale: 2500 }; // pixels per degree of longitude
let selected = null;

async function loadAll(id) {
  let url = `../collections/${id}/items?limit=1000`;
  while (url) {
    const res = await fetch(url, { headers: { Accept: "application/geo+json" } });
    if (!res.ok) throw new Error(`${id}: HTTP ${res.status}`);
    const fc = await res.json();
    layers[id].push(...fc.features);
    const next = (fc.links || []).find((l) => l.rel === "next");
    url = next ? next.href : null;
  }
}

function project([lon, lat]) {
  const k = Math.cos((view.cy * Math.PI) / 180);
  return [canvas.width / 2 + (lon - view.cx) * view.scale * k, canvas.height / 2 - (lat - view.cy) * view.scale];
}

function unproject(x, y) {
  const k = Math.cos((view.cy * Math.PI) / 180);
  return [view.cx + (x - canvas.width / 2) / (view.scale * k), view.cy - (y - canvas.height / 2) / view.scale];
}

function pathOf(geom) {
  const p = new Path2D();
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
  for (const poly of polys) for (const ring of poly) {
    ring.forEach((pt, i) => { const [x, y] = project(pt); i ? p.lineTo(x, y) : p.moveTo(x, y); });
    p.closePath();
  }
  return p;
}

function drawLayer(features, style, filter) {
  for (const f of features) {
    if (filter && !filter(f)) continue;
    f._path = pathOf(f.geometry);
    if (style.fill) { ctx.fillStyle = style.fill; ctx.fill(f._path, "evenodd"); }
    ctx.strokeStyle = f === selected ? "#000" : style.stroke;
    ctx.lineWidth = f === selected ? 3 : style.width;
    ctx.stroke(f._path);
  }
}

function draw() {
  canvas.width = canvas.clientWidth; canvas.height = canvas.clientHeight;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (visible.districts) drawLayer(layers.districts, { stroke: "#888", width: 1.5, fill: "rgba(255,255,255,0.6)" });
  if (visible.block_lines_2) drawLayer(layers.block_lines, { stroke: "#e67e22", width: 2, fill: "rgba(230,126,34,0.15)" }, (f) => f.properties.level === 2);
  if (visible.block_lines_1) drawLayer(layers.block_lines, { stroke: "#c0392b", width: 2, fill: "rgba(192,57,43,0.15)" }, (f) => f.properties.level === 1);
  if (visible.parcels) drawLayer(layers.parcels, { stroke: "#2c7fb8", width: 1, fill: "rgba(44,127,184,0.35)" });
  ctx.fillStyle = "#333";
  for (const d of visible.districts ? layers.districts : []) {
    const b = bbox(d.geometry); const [x, y] = project([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]);
    ctx.font = "16px sans-serif"; ctx.fillText(d.properties.name, x - 24, y);
  }
}

function bbox(geom) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
  for (const poly of polys) for (const [x, y] of poly[0]) {
    b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y);
  }
  return b;
}

function showFacts(f, layer) {
  const rows = Object.entries(f.properties).filter(([, v]) => v !== null)
    .map(([k, v]) => `<tr><td>${k}</td><td>${String(v).replace(/</g, "&lt;")}</td></tr>`).join("");
  document.getElementById("facts").innerHTML = `<h1>${layer} #${f.id}</h1><table>${rows}</table>`;
}

canvas.addEventListener("click", (e) => {
  if (e.detail === 0 || dragged) return;
  const x = e.offsetX, y = e.offsetY;
  const order = [["parcels", layers.parcels, visible.parcels], ["block_lines", layers.block_lines, visible.block_lines_1 || visible.block_lines_2], ["districts", layers.districts, visible.districts]];
  for (const [name, feats, on] of order) {
    if (!on) continue;
    const hit = feats.find((f) => f._path && ctx.isPointInPath(f._path, x, y, "evenodd"));
    if (hit) { selected = hit; showFacts(hit, name); draw(); return; }
  }
});

let drag = null, dragged = false;
canvas.addEventListener("mousedown", (e) => { drag = [e.offsetX, e.offsetY, view.cx, view.cy]; dragged = false; });
window.addEventListener("mouseup", () => { drag = null; });
canvas.addEventListener("mousemove", (e) => {
  if (!drag) return;
  const [x0, y0, cx, cy] = drag;
  if (Math.abs(e.offsetX - x0) + Math.abs(e.offsetY - y0) > 3) dragged = true;
  const k = Math.cos((view.cy * Math.PI) / 180);
  view.cx = cx - (e.offsetX - x0) / (view.scale * k); view.cy = cy + (e.offsetY - y0) / view.scale; draw();
});
canvas.addEventListener("wheel", (e) => {
  e.preventDefault();
  const [lon, lat] = unproject(e.offsetX, e.offsetY);
  view.scale *= e.deltaY < 0 ? 1.25 : 0.8;
  const [lon2, lat2] = unproject(e.offsetX, e.offsetY);
  view.cx += lon - lon2; view.cy += lat - lat2; draw();
}, { passive: false });
document.querySelectorAll("input[data-layer]").forEach((cb) =>
  cb.addEventListener("change", () => { visible[cb.dataset.layer] = cb.checked; draw(); }));
window.addEventListener("resize", draw);

(async () => {
  try {
    await Promise.all(Object.keys(layers).map(loadAll));
    document.getElementById("status").textContent =
      `${layers.districts.length} 行政区 · ${layers.block_lines.length} 区块线 · ${layers.parcels.length} 宗地`;
  } catch (err) {
    document.getElementById("status").textContent = "加载失败 / load failed: " + err.message;
  }
  draw();
})();
