// landreg 工业用地一张图 (挂图作战): MapLibre GL JS over landreg's vector tiles, with
// the district panel (block-line quota, idle land by category, which is also the legend
// and the category filter), search, filters, export, print and a parcel card (facts,
// status and reasons, 亩均 figures, history). Every URL is relative to the page
// (…/map/), so the page works behind a proxy under any prefix. Parcels only ever come
// as vector tiles — one point each from zoom 8, their shapes from zoom 12 — never as
// one GeoJSON download, so 200 000 parcels stay smooth.
//
// The address holds the whole state: ?date=&district=&parcel=&cat=&std=&low=&level=
// &measure= and the view as #zoom/lat/lon, so a shared link reproduces the screen.
//
// Test hooks: window.landregMap is the maplibre Map; window.landreg the state and
// actions; <body data-ready="true"> once the tiles in view and the panels have loaded
// (false while a change is under way); <body data-parcel="ID"> once a parcel's card has
// loaded; <body data-print="ready"> once the print layout has its map drawn.
"use strict";
(() => {
  const $ = (sel) => document.querySelector(sel);
  const BASE = new URL("../", location.href).href; // the landreg root, relative to /map/
  const TILE_LAYERS = "districts,block_lines,parcels,parcel_cells,block_lines_labels";
  const PARCEL_MINZOOM = 12; // parcel shapes; cells of parcels below, from POINTS_MINZOOM
  const POINTS_MINZOOM = 8; // the cells of parcel_cells
  const LINE_LABEL_MINZOOM = 10;
  const params = new URLSearchParams(location.search);
  const TOKEN_KEY = "landreg.token";

  // Status categories and event types with their labels and colours come from the server
  // (/v1/vocabulary, the database's tables), in the server's order (most serious first),
  // so the map, the reports and the API say the same thing; UNKNOWN is the map's own, for
  // parcels whose status it has not been given.
  const UNKNOWN = { code: "UNKNOWN", zh: "状态未知", en: "Status unknown (not yet served)", color: "#b8b8b8", idle: false };
  let CATEGORIES = [UNKNOWN];
  let CAT = { UNKNOWN };
  let EVENT_ZH = {};
  async function loadVocabulary() {
    const v = await getJSON("v1/vocabulary");
    CATEGORIES = [...v.idle_categories.map((c) => ({ code: c.code, zh: c.zh, en: c.en, color: c.colour, idle: !!c.idle_land })), UNKNOWN];
    CAT = Object.fromEntries(CATEGORIES.map((c) => [c.code, c]));
    EVENT_ZH = Object.fromEntries(v.event_types.map((e) => [e.code, e.zh]));
  }
  // Not a problem of land use: normal and retired parcels are drawn smaller.
  const QUIET = new Set(["NORMAL", "RETIRED", "UNKNOWN"]);

  // Parcel facts shown in the card, in order: [property, 中文, English]; AGREED under a fold.
  const FACTS = [
    ["zddm", "宗地代码", "Parcel code (ZDDM)"], ["holder_name", "权利人", "Holder"],
    ["location", "坐落", "Location"], ["landuse_code", "土地用途", "Land use code"],
    ["area_mu", "面积（亩）", "Area, mu (ellipsoidal, CGCS2000)"], ["registered_area_m2", "登记面积（m²）", "Registered area, m²"],
    ["supply_method", "供地方式", "Supply method"], ["contract_no", "出让合同号", "Contract number"],
    ["contract_date", "合同签订日期", "Contract date"], ["price_wan", "出让价款（万元）", "Price, 10k CNY"],
  ];
  const AGREED = [
    ["agreed_delivery", "约定交地", "Agreed delivery"], ["agreed_start", "约定开工", "Agreed start"],
    ["agreed_completion", "约定竣工", "Agreed completion"], ["agreed_rampup_review", "约定达产复核", "Agreed ramp-up review"],
    ["far_min", "容积率下限", "Min floor-area ratio"], ["far_max", "容积率上限", "Max floor-area ratio"],
    ["invest_intensity_wan_per_mu", "投资强度（万元/亩）", "Investment intensity"],
    ["tax_per_mu_wan", "亩均税收（万元/亩）", "Tax per mu"], ["term_years", "出让年限", "Term, years"],
    ["is_standard_land", "标准地", "Standard land (标准地)"], ["cert_no", "不动产权证号", "Title certificate"],
    ["bdcdyh", "不动产单元号", "Real-estate unit number"], ["holder_uscc", "统一社会信用代码", "Holder USCC"],
    ["industry_code", "行业代码", "Industry (GB/T 4754)"], ["supervision_no", "电子监管号", "Supervision number"],
  ];

  // ---------- state from the address ----------
  const problems = []; // what was wrong with the address, said once the page is up
  function readDate() {
    const raw = params.get("date");
    if (raw === null || raw === "") return today();
    if (validDate(raw)) return raw;
    problems.push(`地址中的日期“${raw}”无效，已改用今天 · the date in the address is not a valid YYYY-MM-DD day; showing today`);
    return today();
  }
  function readFlag(name) {
    const v = params.get(name);
    if (v === null || v === "" || v === "0") return false;
    if (v === "1" || v === "true") return true;
    problems.push(`参数 ${name}=“${v}”无效（应为 1 或 0），已忽略 · ${name} must be 1 or 0`);
    return false;
  }
  function readChoice(name, allowed) {
    const v = params.get(name) || "";
    if (allowed.includes(v)) return v;
    problems.push(`参数 ${name}=“${v}”无效，已忽略 · unknown ${name}`);
    return "";
  }
  function readParcel() {
    const v = params.get("parcel");
    if (v === null || v === "") return null;
    if (/^\d{1,18}$/.test(v)) return Number(v);
    problems.push(`宗地编号“${v}”无效 · parcel must be a parcel id`);
    return null;
  }
  const state = {
    date: readDate(),
    district: params.get("district") || "",
    districts: [], // [{code, name, bbox, label:[lon,lat]}]
    extent: null, // [minLon, minLat, maxLon, maxLat]
    parcel: readParcel(), // selected parcel id
    cats: null, // null: every category shown; else the Set of codes shown
    std: readFlag("std"),
    low: readFlag("low"),
    level: readChoice("level", ["", "1", "2"]),
    measure: readChoice("measure", ["", "margin", "idle_share", "tax_per_mu", "va_per_mu"]),
    basemap: params.get("basemap") ?? localStorage.getItem("landreg.basemap") ?? "",
    idle: null, // the last /v1/audit/idle answer, for the panel
    quota: null,
    keyfig: null, // the last /v1/key-figures answer
  };
  const hadView = /^#\d/.test(location.hash); // a shared view wins over fitting the data
  let token = sessionStorage.getItem(TOKEN_KEY) || "";
  let map = null;
  let generation = 0;

  // ---------- helpers ----------
  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }
  function validDate(s) {
    if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
    const d = new Date(s + "T00:00:00Z");
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= "1949-10-01" && s <= "2100-12-31" ? s : null;
  }
  function esc(v) {
    return String(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function num(v, digits = 2) {
    if (v === null || v === undefined || v === "" || Number.isNaN(Number(v))) return "—";
    return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function dash(v) { return v === null || v === undefined || v === "" ? "—" : esc(v); }
  function authHeaders() { return token ? { Authorization: `Bearer ${token}` } : {}; }
  async function request(path, accept) {
    const res = await fetch(BASE + path, { headers: { Accept: accept, ...authHeaders() } });
    if (!res.ok) {
      const err = new Error(`HTTP ${res.status}`);
      err.status = res.status;
      try { const p = await res.json(); err.detail = p.detail || p.title; } catch { /* not JSON */ }
      if (res.status === 401) askToken(err.detail);
      throw err;
    }
    return res;
  }
  async function getJSON(path) {
    return (await request(path, "application/json, application/geo+json")).json();
  }
  // A failed panel request says what the server said (a 404 included: every route the
  // map calls exists, so a 404 is a real answer, an unknown district or parcel).
  function unavailable(err, route) {
    return `<span class="bad" title="${esc(route)}">— <small>${esc(err.detail || err.message)}</small></span>`;
  }
  function setReady(v) { document.body.dataset.ready = v ? "true" : "false"; }
  function status(text) { $("#status").textContent = text; }
  function notice(text) {
    const n = $("#notice");
    $("#notice-text").textContent = text;
    n.hidden = !text;
  }
  function addProblem(text) {
    problems.push(text);
    notice(problems.join("；"));
  }
  function syncURL() {
    const p = new URLSearchParams();
    p.set("date", state.date);
    if (state.district) p.set("district", state.district);
    if (state.parcel !== null) p.set("parcel", String(state.parcel));
    if (state.cats) p.set("cat", [...state.cats].join(","));
    if (state.std) p.set("std", "1");
    if (state.low) p.set("low", "1");
    if (state.level) p.set("level", state.level);
    if (state.measure) p.set("measure", state.measure);
    if (params.get("basemap")) p.set("basemap", params.get("basemap"));
    history.replaceState(null, "", `${location.pathname}?${p}${location.hash}`);
  }

  // ---------- token (serve --auth-reads) ----------
  function askToken(detail) {
    const f = $("#auth");
    if (!f.hidden) return;
    f.hidden = false;
    $("#auth-text").innerHTML = (token ? "令牌无效或已吊销，请重新输入" : "此服务器读取数据需要令牌，请输入") +
      ` <small>${esc(detail || "a token is needed for reads")}</small>`;
    document.body.dataset.auth = "needed";
  }
  $("#auth").addEventListener("submit", (e) => {
    e.preventDefault();
    const t = $("#auth-token").value.trim();
    if (!t) return;
    // Kept for this tab only: closing it forgets the token.
    sessionStorage.setItem(TOKEN_KEY, t);
    location.reload();
  });
  $("#auth-clear").addEventListener("click", () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });

  // ---------- tiles and style ----------
  function tileURL() {
    return `${BASE}tiles/${TILE_LAYERS}/{z}/{x}/{y}.mvt?datetime=${encodeURIComponent(state.date)}`;
  }
  function basemapURLs() {
    return state.basemap.split("|").map((s) => s.trim()).filter((s) => /^https?:\/\//.test(s) || s.startsWith("/"));
  }
  function statusColor() {
    return ["match", ["coalesce", ["get", "status"], "UNKNOWN"],
      ...CATEGORIES.filter((c) => c.code !== "UNKNOWN").flatMap((c) => [c.code, c.color]), UNKNOWN.color];
  }
  // Cells of the most serious statuses drawn last, on top (CATEGORIES: most serious first).
  function severityKey() {
    return ["match", ["coalesce", ["get", "status"], "UNKNOWN"], ...CATEGORIES.flatMap((c, i) => [c.code, CATEGORIES.length - i]), 0];
  }
  // One filter for parcel shapes and cells, from the panel's filters.
  function parcelFilter() {
    const f = ["all"];
    if (state.cats) f.push(["in", ["coalesce", ["get", "status"], "UNKNOWN"], ["literal", [...state.cats]]]);
    if (state.district) f.push(["==", ["get", "xzqdm"], state.district]);
    if (state.std) f.push(["==", ["get", "is_standard_land"], true]);
    if (state.low) f.push(["==", ["get", "low_efficiency"], true]);
    return f;
  }
  const PARCEL_LAYERS = ["parcels-fill", "parcels-line", "parcel-cells"];

  function buildStyle() {
    const source = { type: "vector", tiles: [tileURL()], minzoom: 5, maxzoom: 16, attribution: "landreg" };
    if (state.extent) source.bounds = state.extent;
    const quiet = ["match", ["coalesce", ["get", "status"], "UNKNOWN"], [...QUIET], 1, 0];
    // A cell's circle: its area grows with its parcels (up to 16), normal land smaller.
    const cellSize = ["*", ["case", ["==", quiet, 1], 0.6, 1], ["min", 4, ["sqrt", ["coalesce", ["get", "n"], 1]]]];
    return {
      version: 8,
      sources: { land: source },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#dde4ea" } },
        { id: "districts-fill", type: "fill", source: "land", "source-layer": "districts",
          paint: { "fill-color": "#f7f5ef", "fill-opacity": 0.92 } },
        { id: "block-lines-2-fill", type: "fill", source: "land", "source-layer": "block_lines", filter: ["==", ["get", "level"], 2],
          paint: { "fill-color": "#f58220", "fill-opacity": 0.16 } },
        { id: "block-lines-1-fill", type: "fill", source: "land", "source-layer": "block_lines", filter: ["==", ["get", "level"], 1],
          paint: { "fill-color": "#d7191c", "fill-opacity": 0.13 } },
        { id: "parcels-fill", type: "fill", source: "land", "source-layer": "parcels", minzoom: PARCEL_MINZOOM, filter: parcelFilter(),
          paint: { "fill-color": statusColor(), "fill-opacity": 0.85 } },
        { id: "parcels-line", type: "line", source: "land", "source-layer": "parcels", minzoom: 13, filter: parcelFilter(),
          paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 13, 0.3, 17, 1.2], "line-opacity": 0.9 } },
        { id: "block-lines-2-line", type: "line", source: "land", "source-layer": "block_lines", filter: ["==", ["get", "level"], 2],
          paint: { "line-color": "#f58220", "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1, 15, 2.5] } },
        { id: "block-lines-1-line", type: "line", source: "land", "source-layer": "block_lines", filter: ["==", ["get", "level"], 1],
          paint: { "line-color": "#d7191c", "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1.2, 15, 3] } },
        { id: "districts-line", type: "line", source: "land", "source-layer": "districts",
          paint: { "line-color": "#4a5568", "line-width": 1.6, "line-dasharray": [4, 2] } },
        { id: "district-selected", type: "line", source: "land", "source-layer": "districts", filter: ["==", ["get", "xzqdm"], ""],
          paint: { "line-color": "#1f4e79", "line-width": 3.5, "line-opacity": 0.8 } },
        // Below the parcel zoom, the parcels counted per cell of the grid (parcel_cells:
        // one circle per cell, district, status and flags, so the filters stay exact),
        // its area growing with the parcels it holds; problems drawn over normal land.
        { id: "parcel-cells", type: "circle", source: "land", "source-layer": "parcel_cells", minzoom: POINTS_MINZOOM, maxzoom: PARCEL_MINZOOM,
          filter: parcelFilter(),
          layout: { "circle-sort-key": severityKey() },
          paint: {
            "circle-color": statusColor(),
            "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, ["*", 1.6, cellSize], 11.9, ["*", 3.2, cellSize]],
            "circle-opacity": ["case", ["==", quiet, 1], 0.55, 0.92],
            "circle-stroke-color": "#ffffff",
            "circle-stroke-width": ["case", ["==", quiet, 1], 0, 0.6],
          } },
        { id: "parcel-selected", type: "line", source: "land", "source-layer": "parcels", filter: ["==", ["id"], -1],
          paint: { "line-color": "#00e5ff", "line-width": 3 } },
      ],
    };
  }
  const LAYER_GROUPS = {
    districts: ["districts-fill", "districts-line", "district-selected"],
    block_lines_1: ["block-lines-1-fill", "block-lines-1-line"],
    block_lines_2: ["block-lines-2-fill", "block-lines-2-line"],
    parcels: ["parcels-fill", "parcels-line", "parcel-selected", "parcel-cells"],
    basemap: [],
  };

  function applyBasemap() {
    for (const l of map.getStyle().layers) if (l.id.startsWith("basemap-")) map.removeLayer(l.id);
    for (const id of Object.keys(map.getStyle().sources)) if (id.startsWith("basemap-")) map.removeSource(id);
    LAYER_GROUPS.basemap = [];
    const show = $('input[data-layer="basemap"]').checked;
    basemapURLs().forEach((url, i) => {
      const id = `basemap-${i}`;
      // {s}: Leaflet-style subdomains, 0–7 for 天地图 (t0…t7), a/b/c otherwise.
      const subs = /tianditu/.test(url) ? ["0", "1", "2", "3", "4", "5", "6", "7"] : ["a", "b", "c"];
      const tiles = url.includes("{s}") ? subs.map((x) => url.replace("{s}", x)) : [url];
      map.addSource(id, { type: "raster", tiles, tileSize: 256, maxzoom: 18 });
      map.addLayer({ id, type: "raster", source: id, layout: { visibility: show ? "visible" : "none" } }, "districts-fill");
      LAYER_GROUPS.basemap.push(id);
    });
    applyDistrictFill();
    $("#basemap").value = state.basemap;
  }

  function whenIdle() {
    // 'idle' fires once every tile in view has loaded; poll too in case nothing changed.
    return new Promise((resolve) => {
      let done = false;
      const finish = () => { if (!done) { done = true; resolve(); } };
      map.once("idle", finish);
      const t0 = performance.now();
      (function poll() {
        if (done) return;
        if (performance.now() - t0 > 400 && map.loaded() && map.areTilesLoaded()) return finish();
        setTimeout(poll, 150);
      })();
    });
  }

  // ---------- districts and extent ----------
  async function loadExtent() {
    try {
      const cs = await getJSON("collections");
      let b = null;
      for (const c of cs.collections || []) {
        const bb = c.extent && c.extent.spatial && c.extent.spatial.bbox && c.extent.spatial.bbox[0];
        if (!bb || bb.length < 4 || !["districts", "block_lines", "parcels"].includes(c.id)) continue;
        const [x0, y0, x1, y1] = bb.length === 6 ? [bb[0], bb[1], bb[3], bb[4]] : bb;
        b = b ? [Math.min(b[0], x0), Math.min(b[1], y0), Math.max(b[2], x1), Math.max(b[3], y1)] : [x0, y0, x1, y1];
      }
      state.extent = b;
    } catch (err) {
      status(`范围未知 / extent unavailable: ${err.message}`);
    }
  }

  function ringArea(r) {
    let a = 0;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] + r[i][0]) * (r[j][1] - r[i][1]);
    return Math.abs(a / 2);
  }
  function ringCentroid(r) {
    let a = 0, x = 0, y = 0;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const f = r[j][0] * r[i][1] - r[i][0] * r[j][1];
      a += f; x += (r[j][0] + r[i][0]) * f; y += (r[j][1] + r[i][1]) * f;
    }
    return a ? [x / (3 * a), y / (3 * a)] : r[0];
  }
  function bboxOf(geometry) {
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else c.forEach(walk);
    };
    walk(geometry.coordinates);
    return b;
  }

  async function loadDistricts() {
    // Three to a few dozen features: small enough for GeoJSON (names, bboxes, label points).
    const sel = $("#district");
    try {
      const fc = await getJSON("collections/districts/items?limit=1000");
      state.districts = fc.features.map((f) => {
        const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
        let best = polys[0][0];
        for (const p of polys) if (ringArea(p[0]) > ringArea(best)) best = p[0];
        return { code: String(f.properties.xzqdm || f.id), name: f.properties.name, bbox: bboxOf(f.geometry), label: ringCentroid(best) };
      }).sort((a, b) => a.code.localeCompare(b.code));
    } catch (err) {
      status(`行政区加载失败 / districts: ${err.message}`);
    }
    for (const d of state.districts) {
      const o = document.createElement("option");
      o.value = d.code;
      o.textContent = `${d.name} ${d.code}`;
      sel.append(o);
    }
    if (state.district && state.districts.length && !state.districts.some((d) => d.code === state.district)) {
      problems.push(`地址中的行政区“${state.district}”不存在，已显示全市 · no such district; showing the city`);
      state.district = "";
    }
    sel.value = state.district;
  }
  function districtName(code) {
    const d = state.districts.find((x) => x.code === code);
    return d ? d.name : "全市";
  }

  function addDistrictLabels() {
    // HTML markers: crisp CJK text from the system fonts, no glyph server needed.
    for (const d of state.districts) {
      const el = document.createElement("div");
      el.className = "district-label";
      el.dataset.code = d.code;
      el.innerHTML = `${esc(d.name)}<small>${esc(d.code)}</small><small class="measure"></small>`;
      el.title = `${d.name} (district ${d.code})`;
      d.marker = new maplibregl.Marker({ element: el }).setLngLat(d.label).addTo(map);
    }
  }
  function showDistrictLabels(on) {
    for (const d of state.districts) if (d.marker) d.marker.getElement().style.display = on ? "" : "none";
  }

  // Block-line names (block_lines_labels: one point per line, in the tile holding it),
  // as HTML markers like the district names; only the levels shown, from zoom 10.
  const lineLabels = new Map(); // feature id → marker
  function updateLineLabels() {
    const want = new Map();
    if (map.getZoom() >= LINE_LABEL_MINZOOM) {
      for (const f of map.querySourceFeatures("land", { sourceLayer: "block_lines_labels" })) {
        const lv = f.properties.level;
        if (!levelShown(lv) || want.has(f.id)) continue;
        want.set(f.id, f);
      }
    }
    for (const [id, m] of lineLabels) if (!want.has(id)) { m.remove(); lineLabels.delete(id); }
    for (const [id, f] of want) {
      if (lineLabels.has(id)) continue;
      const el = document.createElement("div");
      el.className = `line-label level-${f.properties.level}`;
      el.textContent = f.properties.name || f.properties.code;
      el.title = `${f.properties.level === 1 ? "一级" : "二级"}工业区块线 ${f.properties.code || ""}`;
      lineLabels.set(id, new maplibregl.Marker({ element: el }).setLngLat(f.geometry.coordinates).addTo(map));
    }
  }
  function levelShown(lv) {
    const cb = $(`input[data-layer="block_lines_${lv}"]`);
    return cb ? cb.checked : true;
  }

  // ---------- district shading (feature-state) ----------
  // A district's feature id is its code as a number (collection_districts), in the
  // tiles as in the GeoJSON.
  const districtFeature = (code) => ({ source: "land", sourceLayer: "districts", id: Number(code) });
  const RAMPS = {
    // margin: below the baseline red, at it paper, above green (scaled by the largest |margin|)
    margin: [0, "#c0262d", 0.5, "#f7f5ef", 1, "#1e7b34"],
    // idle share: 0 paper to 1 (the largest share) deep red
    idle_share: [0, "#f7f5ef", 1, "#a50f15"],
  };
  let shading = { key: "", values: {} };
  function applyDistrictFill() {
    if (!map) return;
    const veil = LAYER_GROUPS.basemap.length && $('input[data-layer="basemap"]').checked;
    if (MUJUN_MEASURES[state.measure]) {
      map.setPaintProperty("districts-fill", "fill-color", mujunFill());
      map.setPaintProperty("districts-fill", "fill-opacity", veil ? 0.55 : 0.92);
      return;
    }
    if (!state.measure) {
      map.setPaintProperty("districts-fill", "fill-color", "#f7f5ef");
      map.setPaintProperty("districts-fill", "fill-opacity", veil ? 0.25 : 0.92);
      return;
    }
    map.setPaintProperty("districts-fill", "fill-color",
      ["case", ["==", ["typeof", ["feature-state", "t"]], "number"], ["interpolate", ["linear"], ["feature-state", "t"], ...RAMPS[state.measure]], "#f7f5ef"]);
    map.setPaintProperty("districts-fill", "fill-opacity", veil ? 0.55 : 0.92);
  }
  async function loadShading() {
    const box = $("#shade-legend");
    for (const d of state.districts) {
      if (map) map.removeFeatureState(districtFeature(d.code));
      if (d.marker) d.marker.getElement().querySelector(".measure").textContent = "";
    }
    applyDistrictFill();
    if (!state.measure) { box.hidden = true; return; }
    if (MUJUN_MEASURES[state.measure]) { await loadMujunShading(); return; }
    const key = `${state.measure}|${state.date}`;
    if (shading.key !== key) {
      // Fetched once per measure and date: the quota of each district, or one idle summary.
      const values = {};
      try {
        if (state.measure === "margin") {
          const qs = await Promise.all(state.districts.map((d) => getJSON(`v1/districts/${d.code}/quota?date=${state.date}`).catch(() => null)));
          state.districts.forEach((d, i) => { const q = qs[i]; if (q && q.margin) values[d.code] = q.margin.mu; });
        } else {
          const r = await getJSON(`v1/audit/idle?date=${state.date}`);
          const tot = {}, bad = {};
          for (const x of r.rows || []) {
            const mu = Number(x.registered_mu) || 0;
            tot[x.xzqdm] = (tot[x.xzqdm] || 0) + mu;
            if (!QUIET.has(x.category)) bad[x.xzqdm] = (bad[x.xzqdm] || 0) + mu;
          }
          for (const c of Object.keys(tot)) if (tot[c] > 0) values[c] = (bad[c] || 0) / tot[c];
        }
      } catch (err) {
        box.hidden = false;
        box.innerHTML = unavailable(err, state.measure);
        return;
      }
      shading = { key, values };
    }
    const vals = Object.values(shading.values);
    const fmt = (v) => state.measure === "margin" ? `${num(v)} 亩` : `${num(v * 100, 1)}%`;
    let scale;
    if (state.measure === "margin") {
      const m = Math.max(1e-9, ...vals.map(Math.abs));
      scale = (v) => 0.5 + v / (2 * m);
      box.innerHTML = `<i class="ramp" style="background:linear-gradient(90deg,#c0262d,#f7f5ef,#1e7b34)"></i> −${num(m)} … 0 … +${num(m)} 亩 <small>quota margin</small>`;
    } else {
      const m = Math.max(1e-9, ...vals);
      scale = (v) => v / m;
      box.innerHTML = `<i class="ramp" style="background:linear-gradient(90deg,#f7f5ef,#a50f15)"></i> 0 … ${num(m * 100, 1)}% <small>idle &amp; inefficient share of parcel area</small>`;
    }
    box.hidden = false;
    for (const d of state.districts) {
      const v = shading.values[d.code];
      if (v === undefined) continue;
      if (map) map.setFeatureState(districtFeature(d.code), { t: scale(v), v });
      if (d.marker) d.marker.getElement().querySelector(".measure").textContent = fmt(v);
    }
  }

  // ---------- district shading by 亩均 (classes) ----------
  // 亩均税收 and 亩均增加值 of each district for the year before the date, as the
  // database computes them (/v1/audit/mujun-districts: the district's judged firms' tax
  // or value added over their land), in five equal classes between the lowest and the
  // highest district shown, like the other measures relative to the districts. The
  // classes are a step expression on the feature-state value, so a district's fill is
  // its class's colour and the legend lists the classes with their limits.
  const MUJUN_MEASURES = {
    tax_per_mu: { field: "tax_per_mu_wan", zh: "亩均税收", en: "tax per mu", colours: ["#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"] },
    va_per_mu: { field: "va_per_mu_wan", zh: "亩均增加值", en: "value added per mu", colours: ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"] },
  };
  const NO_DATA = "#f7f5ef";
  let mujunClasses = { key: "", year: 0, values: {}, breaks: [] };
  // The 亩均 year: the key figures' (the latest year whose figures count by the date),
  // else the year before the date's.
  async function mujunYear() {
    await keyfigLoading;
    const k = state.keyfig;
    return k && k.date === state.date ? k.mujun_year : Number(state.date.slice(0, 4)) - 1;
  }
  // Four limits for five classes; none when every district has the same figure.
  function classBreaks(vals, n) {
    if (!vals.length) return [];
    const lo = Math.min(...vals), hi = Math.max(...vals);
    if (hi - lo < 1e-9) return [];
    return Array.from({ length: n - 1 }, (_, k) => lo + ((hi - lo) * (k + 1)) / n);
  }
  function classOf(v, breaks) { return breaks.filter((b) => v >= b).length; }
  function classColours(m) {
    const c = MUJUN_MEASURES[m].colours;
    return mujunClasses.breaks.length ? c : [c[2]];
  }
  function mujunFill() {
    const cs = classColours(state.measure);
    const step = cs.length > 1 ? ["step", ["feature-state", "v"], cs[0], ...mujunClasses.breaks.flatMap((b, i) => [b, cs[i + 1]])] : cs[0];
    return ["case", ["==", ["typeof", ["feature-state", "v"]], "number"], step, NO_DATA];
  }
  async function loadMujunShading() {
    const box = $("#shade-legend");
    const m = MUJUN_MEASURES[state.measure];
    const year = await mujunYear();
    const key = `${state.measure}|${year}`;
    if (mujunClasses.key !== key) {
      let r;
      try {
        r = await getJSON(`v1/audit/mujun-districts?year=${year}`);
      } catch (err) {
        box.hidden = false;
        box.innerHTML = unavailable(err, "/v1/audit/mujun-districts");
        return;
      }
      const values = {};
      for (const x of r.rows || []) if (x.xzqdm && typeof x[m.field] === "number") values[x.xzqdm] = x[m.field];
      mujunClasses = { key, year, values, breaks: classBreaks(Object.values(values), m.colours.length) };
    }
    const { values, breaks } = mujunClasses;
    const cs = classColours(state.measure);
    const counts = cs.map(() => 0);
    let none = 0;
    for (const d of state.districts) {
      const v = values[d.code];
      if (v === undefined) { none++; continue; }
      const c = classOf(v, breaks);
      counts[c]++;
      if (map) map.setFeatureState(districtFeature(d.code), { v, c });
      if (d.marker) d.marker.getElement().querySelector(".measure").textContent = `${num(v)} 万元/亩`;
    }
    applyDistrictFill();
    box.hidden = false;
    if (!Object.keys(values).length) {
      box.innerHTML = `<div class="classes" data-measure="${esc(state.measure)}" data-year="${year}"><b>${year} 年${esc(m.zh)}</b>：无数据 <small>no figures for ${year}</small></div>`;
      return;
    }
    const lims = [Math.min(...Object.values(values)), ...breaks, Math.max(...Object.values(values))];
    const item = (i) => `<li data-class="${i}" data-colour="${cs[i]}" title="${esc(m.en)} class ${i + 1}"><i class="sw" style="background:${cs[i]}"></i>` +
      `${cs.length > 1 ? `${num(lims[i])}–${num(lims[i + 1])}` : num(lims[0])} <small>(${counts[i]})</small></li>`;
    box.innerHTML = `<div class="classes" data-measure="${esc(state.measure)}" data-year="${year}">` +
      `<b>${year} 年${esc(m.zh)}（万元/亩）</b> <small>${esc(m.en)} of the district, ${year}</small>` +
      `<ul>${cs.map((_, i) => item(i)).join("")}` +
      (none ? `<li data-class="none"><i class="sw" style="background:${NO_DATA}"></i>无数据 <small>no figures (${none})</small></li>` : "") +
      `</ul></div>`;
  }

  // ---------- panels ----------
  async function loadQuota() {
    const body = $("#quota-body");
    const code = state.district;
    const route = code ? `v1/districts/${code}/quota` : "v1/quota";
    let q;
    state.quota = null;
    try {
      q = await getJSON(`${route}?date=${state.date}`);
    } catch (err) {
      body.innerHTML = unavailable(err, "/" + route);
      $("#quota").dataset.district = code;
      return;
    }
    state.quota = q;
    const row = (field, zh, en, a, cls = "") =>
      `<tr data-field="${field}"><td title="${esc(en)}">${zh}</td>` +
      `<td class="num ${cls}" data-mu="${a ? a.mu : ""}" title="${a ? `${num(a.ha, 4)} 公顷 (ha) · ${num(a.m2, 2)} m²` : "not available"}">${a ? num(a.mu) : "—"}</td>` +
      `<td class="unit">亩</td></tr>`;
    const margin = q.margin;
    // Before the rule window (or without a baseline) the rule does not apply: no red.
    const applies = q.rule_applies !== false;
    const marginCls = margin && applies ? (margin.mu >= 0 ? "good" : "bad") : "";
    const pass = !applies ? `<span class="muted" title="The date is outside the rule window or the district has no baseline">规则未适用 <small>rule not in force</small></span>`
      : q.pass === true ? `<span class="good">✓ 符合总量只增不减</span>` : q.pass === false ? `<span class="bad">✗ 低于基数</span>` : "—";
    body.innerHTML = `<table>
      <tr><th>${esc(q.name || "全市")} <small>${esc(q.xzqdm || "city")}</small></th><th class="num" title="as of">${esc(q.date || state.date)}</th><th></th></tr>
      ${row("total", "区块线总面积", "Block lines, total", q.total)}
      ${row("level1", "　其中一级", "of which level 1", q.level1)}
      ${row("level2", "　其中二级", "of which level 2", q.level2)}
      ${row("baseline", "基数", "Baseline (total on the baseline date)", q.baseline)}
      ${row("margin", "余量（总量−基数）", "Margin: total minus baseline", margin, marginCls)}
      ${row("reserve", "储备（补划未用）", "Reserve: compensation area not yet used", q.reserve)}
      ${row("committed", "承诺总量", "Committed total", q.committed)}
      <tr data-field="pass"><td title="Rule: total never below baseline">考核 <small>check</small></td><td colspan="2" class="num">${pass}</td></tr>
    </table>` + (q.baseline_doc ? `<p class="muted" title="Baseline document">基数依据：${esc(q.baseline_doc)}</p>` : "");
    $("#quota").dataset.district = code;
  }

  async function loadIdle() {
    const body = $("#idle-body");
    const qs = `date=${state.date}` + (state.district ? `&district=${state.district}` : "");
    state.idle = null;
    try {
      state.idle = await getJSON(`v1/audit/idle?${qs}`);
    } catch (err) {
      body.innerHTML = unavailable(err, "/v1/audit/idle") + legendHTML();
      bindLegend();
      return;
    }
    renderIdle();
  }
  // The category table is the legend too: every category of the vocabulary in its
  // order, with the parcels and 亩 of the district as of the date; a click shows or
  // hides the category on the map, in the counts and in the export.
  function idleByCategory() {
    const by = new Map();
    for (const x of (state.idle && state.idle.rows) || []) {
      const c = by.get(x.category) || { count: 0, low: 0, registered_mu: 0, computed_mu: 0, idle_fee_wan: 0, zh: x.category_zh };
      c.count += Number(x.parcels ?? x.count) || 0;
      c.low += Number(x.low_efficient) || 0;
      c.registered_mu += Number(x.registered_mu) || 0;
      c.computed_mu += Number(x.computed_mu) || 0;
      c.idle_fee_wan += Number(x.idle_fee_wan) || 0;
      by.set(x.category, c);
    }
    return by;
  }
  function shown(code) { return !state.cats || state.cats.has(code); }
  function renderIdle() {
    const body = $("#idle-body");
    const by = idleByCategory();
    // 低效 only: the summary counts low-efficiency parcels per category, not their area.
    let tc = 0, tm = 0, tf = 0;
    const trs = CATEGORIES.filter((k) => k.code !== "UNKNOWN" || by.has("UNKNOWN")).map((k) => {
      const c = by.get(k.code) || { count: 0, low: 0, registered_mu: 0, computed_mu: 0, idle_fee_wan: 0 };
      const on = shown(k.code);
      const count = state.low ? c.low : c.count;
      if (on) { tc += count; tm += c.registered_mu; tf += c.idle_fee_wan; }
      return `<tr data-category="${esc(k.code)}" class="${on ? "" : "off"}" tabindex="0" role="button" aria-pressed="${on}" title="${esc(k.en)} (${esc(k.code)}) — 点击显示/隐藏 click to show/hide">` +
        `<td><i class="sw" style="background:${k.color}"></i>${esc(k.zh)}</td>` +
        `<td class="num">${on ? count : "—"}</td><td class="num" title="computed (ellipsoidal): ${num(c.computed_mu)} 亩">${on && !state.low ? num(c.registered_mu) : "—"}</td>` +
        `<td class="num">${on && c.idle_fee_wan && !state.low ? num(c.idle_fee_wan) : "—"}</td></tr>`;
    }).join("");
    const note = [state.low ? "仅低效：宗数为低效宗地，面积不分列 (low-efficiency parcels counted; their area is not in the summary)" : "",
      state.std ? "仅标准地：面板统计为全部宗地 (the summary does not split standard land; the map shows standard land only)" : ""].filter(Boolean);
    body.innerHTML = `<table class="legend-table"><tr><th title="Category">类别</th><th class="num" title="Parcels">宗数</th>` +
      `<th class="num" title="Registered area, mu">面积（亩）</th><th class="num" title="Idle fee, 10k CNY">闲置费（万元）</th></tr>${trs}` +
      `<tr class="total" data-total="${tc}"><td>合计 <small>${state.cats ? "selected" : "total"}</small></td><td class="num">${tc}</td><td class="num">${state.low ? "—" : num(tm)}</td><td class="num">${tf && !state.low ? num(tf) : "—"}</td></tr></table>` +
      (note.length ? `<p class="muted note">${note.map(esc).join("<br>")}</p>` : "") +
      (state.cats ? `<button type="button" id="cats-all" class="link">显示全部类别 <small>show all</small></button>` : "");
    bindLegend();
    renderPrintLegend();
  }
  function legendHTML() {
    return `<table class="legend-table">` + CATEGORIES.map((k) =>
      `<tr data-legend="${esc(k.code)}" class="${shown(k.code) ? "" : "off"}" title="${esc(k.en)}"><td><i class="sw" style="background:${k.color}"></i>${esc(k.zh)}</td></tr>`).join("") + `</table>`;
  }
  function bindLegend() {
    document.querySelectorAll("#idle tr[data-category], #idle tr[data-legend]").forEach((tr) => {
      const code = tr.dataset.category || tr.dataset.legend;
      const toggle = () => toggleCategory(code);
      tr.addEventListener("click", toggle);
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    });
    const all = $("#cats-all");
    if (all) all.addEventListener("click", () => { state.cats = null; applyFilters(); });
  }
  function toggleCategory(code) {
    const set = state.cats ? new Set(state.cats) : new Set(CATEGORIES.map((c) => c.code));
    if (set.has(code)) set.delete(code); else set.add(code);
    state.cats = set.size === CATEGORIES.length ? null : set;
    applyFilters();
  }
  // The key figures of the district (or city) as of the date, in one request
  // (/v1/key-figures): idle land, all idle & inefficient land, 低效 parcels, the quota
  // margin and the 亩均 of the year before, as the database computes them.
  let keyfigLoading = null;
  async function loadKeyFigures() {
    const qs = `date=${state.date}` + (state.district ? `&district=${state.district}` : "");
    state.keyfig = null;
    try {
      state.keyfig = await getJSON(`v1/key-figures?${qs}`);
    } catch (err) {
      $("#keyfig").innerHTML = `<div>${unavailable(err, "/v1/key-figures")}</div>`;
      return;
    }
    renderKeyFigures();
  }
  function renderKeyFigures() {
    const k = state.keyfig;
    if (!k) return;
    const applies = k.rule_applies !== false;
    const mcls = !applies ? "" : k.margin_mu >= 0 ? "good" : "bad";
    const per = (v) => (v === null || v === undefined ? "—" : num(v));
    $("#keyfig").innerHTML =
      `<div data-key="idle" data-parcels="${k.idle_parcels}" data-mu="${k.idle_mu}" title="Statutory idle land (闲置土地)"><b>${k.idle_parcels}</b> 宗 · <b>${num(k.idle_mu)}</b> 亩<small>闲置土地 idle land</small></div>` +
      `<div data-key="problem" data-parcels="${k.problem_parcels}" data-mu="${k.problem_mu}" title="Every category but normal and retired"><b>${k.problem_parcels}</b> 宗 · <b>${num(k.problem_mu)}</b> 亩<small>闲置低效合计 idle &amp; inefficient</small></div>` +
      `<div data-key="low" data-parcels="${k.low_efficiency_parcels}"><b>${k.low_efficiency_parcels}</b> 宗<small>低效 low efficiency</small></div>` +
      `<div data-key="margin" data-mu="${k.margin_mu}" title="Block-line quota margin"><b class="${mcls}">${num(k.margin_mu)}</b> 亩<small>区块线余量 quota margin${!applies ? "（规则未适用）" : ""}</small></div>` +
      `<div data-key="mujun" class="wide" data-tax="${k.tax_per_mu_wan ?? ""}" data-va="${k.va_per_mu_wan ?? ""}" data-year="${k.mujun_year}" title="亩均 ${k.mujun_year}: the judged enterprises' tax and value added over their land; 低效企业 ${k.low_enterprises} of ${k.enterprises}">` +
      `<b>${per(k.tax_per_mu_wan)}</b> 亩均税收 · <b>${per(k.va_per_mu_wan)}</b> 亩均增加值 <small>万元/亩 · ${k.mujun_year}</small></div>`;
  }
  function renderPrintLegend() {
    $("#print-legend").innerHTML = CATEGORIES.filter((k) => shown(k.code)).map((k) =>
      `<li><i class="sw" style="background:${k.color}"></i>${esc(k.zh)}</li>`).join("") +
      `<li><i class="sw" style="background:rgba(215,25,28,.18);border-color:#d7191c"></i>一级区块线</li>` +
      `<li><i class="sw" style="background:rgba(245,130,32,.18);border-color:#f58220"></i>二级区块线</li>`;
    const f = [state.cats ? `类别：${[...state.cats].map((c) => (CAT[c] || UNKNOWN).zh).join("、")}` : "",
      state.std ? "仅标准地" : "", state.low ? "仅低效" : "", state.level ? `${state.level === "1" ? "一" : "二"}级区块线` : ""].filter(Boolean);
    $("#print-filters").textContent = f.length ? `筛选：${f.join("；")}` : "";
    printShadeLegend();
  }
  // The district shading's classes (亩均) in the print legend, as the panel lists them.
  function printShadeLegend() {
    const cls = document.querySelector("#shade-legend:not([hidden]) .classes");
    if (!cls || !MUJUN_MEASURES[state.measure]) return;
    const title = cls.querySelector("b");
    $("#print-legend").insertAdjacentHTML("beforeend", `<li class="shade-title">${esc(title ? title.textContent : "")}</li>` +
      [...cls.querySelectorAll("li[data-class]")].map((li) => `<li data-class="${esc(li.dataset.class)}">${li.innerHTML}</li>`).join(""));
  }

  // ---------- filters ----------
  function applyFilters() {
    syncURL();
    if (map) {
      const f = parcelFilter();
      for (const id of PARCEL_LAYERS) map.setFilter(id, f);
      for (const lv of ["1", "2"]) {
        const cb = $(`input[data-layer="block_lines_${lv}"]`);
        cb.checked = !state.level || state.level === lv;
        for (const id of LAYER_GROUPS[`block_lines_${lv}`]) map.setLayoutProperty(id, "visibility", cb.checked ? "visible" : "none");
      }
      updateLineLabels();
    }
    if (state.idle) renderIdle();
    updateExportLinks();
    renderPrintLegend();
  }

  // ---------- export ----------
  // What is shown, through the existing exports: parcels as of the date (GeoPackage,
  // /v1/exports) and the idle-land ledger and summary (XLSX, /v1/audit), for the district
  // shown. The exports cannot narrow by category, 标准地 or 低效; the file name says so.
  function exportURL(kind) {
    const d = state.district ? `&district=${state.district}` : "";
    if (kind === "gpkg") return `v1/exports/parcels?format=gpkg&date=${state.date}${d}`;
    if (kind === "xlsx") return `v1/audit/idle-parcels?format=xlsx&date=${state.date}${d}`;
    return `v1/audit/idle?format=xlsx&date=${state.date}${d}`;
  }
  function updateExportLinks() {
    document.querySelectorAll("[data-export]").forEach((b) => { b.dataset.href = exportURL(b.dataset.export); });
  }
  async function download(kind) {
    const url = exportURL(kind);
    status(`导出中… exporting ${url}`);
    try {
      const res = await request(url, "*/*");
      const blob = await res.blob();
      const cd = res.headers.get("Content-Disposition") || "";
      const name = (cd.match(/filename="([^"]+)"/) || [])[1] || `landreg-${kind}-${state.date}`;
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      status(`已导出 exported ${name}`);
    } catch (err) {
      status(`导出失败 export failed: ${err.detail || err.message}`);
      addProblem(`导出失败：${err.detail || err.message} · export failed`);
    }
  }
  document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", () => download(b.dataset.export)));

  // ---------- print ----------
  // The map canvas keeps its drawing buffer (preserveDrawingBuffer), so the printed page
  // carries the map itself; on entering print the map is resized to the print frame
  // and redrawn synchronously, then copied into an image that the print layout shows.
  function setPaper(p) {
    document.body.dataset.paper = p;
    $("#page-size").textContent = `@page { size: ${p} landscape; margin: 8mm; }`;
  }
  function preparePrint() {
    delete document.body.dataset.print;
    $("#print-date").textContent = state.date;
    $("#print-district").textContent = `${districtName(state.district)}${state.district ? " " + state.district : ""}`;
    $("#print-at").textContent = new Date().toLocaleString("zh-CN", { hour12: false });
    renderPrintLegend();
    if (!map) return;
    map.resize();
    map.redraw();
    const img = $("#print-map") || Object.assign(document.createElement("img"), { id: "print-map", alt: "地图 map" });
    img.className = "print-only";
    img.src = map.getCanvas().toDataURL("image/png");
    $("#map").append(img);
    document.body.dataset.print = "ready";
  }
  function afterPrint() {
    delete document.body.dataset.print;
    if (map) map.resize();
  }
  const printMedia = window.matchMedia("print");
  printMedia.addEventListener("change", (e) => {
    if (e.matches) requestAnimationFrame(preparePrint); else afterPrint();
  });
  window.addEventListener("beforeprint", preparePrint);
  window.addEventListener("afterprint", afterPrint);
  $("#paper").addEventListener("change", () => setPaper($("#paper").value));
  $("#print").addEventListener("click", () => { setPaper($("#paper").value); window.print(); });

  // ---------- dashboard (Chart.js, loaded on first opening) ----------
  // Chart.js is vendored by scripts/web.sh like MapLibre and loaded only when the
  // dashboard is first opened, so the map's first paint does not pay for it.
  let chartLib = null;
  const charts = {};
  function loadChartJS() {
    if (!chartLib) {
      chartLib = new Promise((resolve, reject) => {
        const el = document.createElement("script");
        el.src = "vendor/chart.umd.min.js";
        el.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error("Chart.js did not load")));
        el.onerror = () => { chartLib = null; reject(new Error("vendor/chart.umd.min.js missing: run make web")); };
        document.head.append(el);
      });
    }
    return chartLib;
  }
  function drawChart(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart($(`#${id}`), { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } }, ...config.options } });
  }
  // Year ends of the last five years before the date, then the date itself.
  function dashDates() {
    const y = Number(state.date.slice(0, 4));
    const ds = [];
    for (let k = y - 5; k < y; k++) ds.push(`${k}-12-31`);
    if (!state.date.endsWith("-12-31")) ds.push(state.date); else ds.push(`${y}-12-31`);
    return ds;
  }
  async function loadDashboard() {
    const box = $("#dashboard");
    box.hidden = false;
    delete box.dataset.ready;
    $("#dash-status").textContent = "加载中… loading";
    let Chart;
    try { Chart = await loadChartJS(); } catch (err) { $("#dash-status").textContent = err.message; return; }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    const d = state.district ? `&district=${state.district}` : "";
    const dates = dashDates();
    const year = await mujunYear();
    const districts = state.district ? state.districts.filter((x) => x.code === state.district) : state.districts;
    const [idle, hist, mujun, targets, ranked] = await Promise.all([
      Promise.all(dates.map((dt) => getJSON(`v1/audit/idle?date=${dt}${d}`).catch(() => null))),
      Promise.all(districts.map((x) => getJSON(`v1/districts/${x.code}/quota/history`).catch(() => null))),
      getJSON(`v1/audit/mujun?year=${year}${d}`).catch((err) => ({ error: err })),
      getJSON(`v1/targets/progress?date=${state.date}${d}`).catch(() => null),
      loadRanking(year, d),
    ]);
    // 1. Idle and inefficient land (亩) by category, stacked per date.
    const cats = CATEGORIES.filter((k) => !QUIET.has(k.code) && shown(k.code));
    drawChart("chart-idle", {
      type: "bar",
      data: { labels: dates.map((x) => (x.endsWith("-12-31") ? x.slice(0, 4) : x)),
        datasets: cats.map((k) => ({ label: k.zh, backgroundColor: k.color, data: idle.map((r) =>
          r ? (r.rows || []).filter((x) => x.category === k.code).reduce((s, x) => s + (Number(x.registered_mu) || 0), 0) : null) })) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "亩" } } },
        plugins: { legend: { display: false } } },
    });
    // 2. Block-line total and baseline at each year end, per district.
    const palette = ["#1f4e79", "#d7191c", "#2e9e4f", "#8e44ad", "#f58220", "#52606d"];
    const years = [...new Set(hist.flatMap((h) => (h ? h.year_ends || [] : []).map((q) => String(q.date).slice(0, 4))))].sort();
    const sets = [];
    districts.forEach((x, i) => {
      const h = hist[i];
      if (!h) return;
      const at = Object.fromEntries((h.year_ends || []).map((q) => [String(q.date).slice(0, 4), q]));
      const c = palette[i % palette.length];
      sets.push({ label: `${x.name} 总量`, borderColor: c, backgroundColor: c, data: years.map((y) => at[y] && at[y].total ? at[y].total.mu : null), tension: 0 });
      sets.push({ label: `${x.name} 基数`, borderColor: c, borderDash: [5, 4], pointRadius: 0, data: years.map((y) => at[y] && at[y].baseline ? at[y].baseline.mu : null) });
    });
    drawChart("chart-quota", { type: "line", data: { labels: years, datasets: sets },
      options: { scales: { y: { title: { display: true, text: "亩" } } } } });
    // 3. Enterprises by 亩均税收 band (the year before the date).
    const bands = [[0, 5], [5, 10], [10, 20], [20, 30], [30, 50], [50, Infinity]];
    const rows = (mujun && mujun.rows) || [];
    const counts = bands.map(([lo, hi]) => rows.filter((r) => r.tax_per_mu_wan !== null && r.tax_per_mu_wan !== undefined &&
      Number(r.tax_per_mu_wan) >= lo && Number(r.tax_per_mu_wan) < hi).length);
    const lows = bands.map(([lo, hi]) => rows.filter((r) => Number(r.tax_per_mu_wan) >= lo && Number(r.tax_per_mu_wan) < hi &&
      (r.low_efficiency === true || String(r.low_efficiency).startsWith("是"))).length);
    $("#mujun-year").textContent = `${year} 年`;
    drawChart("chart-mujun", { type: "bar",
      data: { labels: bands.map(([lo, hi]) => (hi === Infinity ? `≥${lo}` : `${lo}–${hi}`)),
        datasets: [{ label: "企业数", backgroundColor: "#1f4e79", data: counts.map((n, i) => n - lows[i]) },
          { label: "其中低效", backgroundColor: "#8e44ad", data: lows }] },
      options: { scales: { x: { stacked: true, title: { display: true, text: "万元/亩" } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
    drawRanking(ranked, year);
    // 4. Targets (考核目标) as of the date: the share achieved, coloured by status.
    const statusColor = { achieved: "#1b7837", on_track: "#5aae61", behind: "#f58220", missed: "#d7191c", no_data: "#9aa5b1", not_started: "#c0c8d0" };
    const ts = (targets && targets.targets) || [];
    drawChart("chart-targets", { type: "bar",
      data: { labels: ts.map((x) => `${x.district || "全市"} ${x.kind_zh}`),
        datasets: [{ label: "完成率 %", data: ts.map((x) => (x.achieved_share === null || x.achieved_share === undefined ? 0 : Math.round(x.achieved_share * 1000) / 10)),
          backgroundColor: ts.map((x) => statusColor[x.status] || "#9aa5b1") }] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: "%" } },
        // District and target on two lines: a narrow column cuts one long line off.
        y: { ticks: { font: { size: 10 }, callback(v) { return this.getLabelForValue(v).split(" "); } } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (c) => ts[c.dataIndex] ? ts[c.dataIndex].status_zh : "" } } } } });
    $("#dash-status").textContent = mujun && mujun.error ? `亩均：${mujun.error.detail || mujun.error.message}` :
      `${districtName(state.district)} · ${dates[0].slice(0, 4)}–${state.date} · 亩均 ${rows.length} 家企业`;
    box.dataset.ready = "true";
  }
  // 亩均税收 ranking: the RANK_N highest and RANK_N lowest enterprises of the district (or
  // the city) for the year, ranked by the database (/v1/audit/mujun?order=&limit=), the
  // highest first; an enterprise in both lists (few enterprises) is drawn once.
  const RANK_N = 5;
  async function loadRanking(year, d) {
    const q = (order) => getJSON(`v1/audit/mujun?year=${year}${d}&order=${order}&limit=${RANK_N}`);
    try {
      const [top, bottom] = await Promise.all([q("tax_per_mu_desc"), q("tax_per_mu_asc")]);
      const rows = [...top.rows];
      for (const r of bottom.rows.slice().reverse()) if (!rows.some((x) => x.uscc === r.uscc)) rows.push(r);
      return { rows };
    } catch (err) {
      return { rows: [], error: err };
    }
  }
  function drawRanking(ranked, year) {
    const rows = ranked.rows;
    $("#rank-year").textContent = `${year} 年`;
    const low = (r) => r.low_efficiency === true || String(r.low_efficiency).startsWith("是");
    drawChart("chart-rank", { type: "bar",
      data: { labels: rows.map((r) => `${r.tax_per_mu_rank}. ${r.name}`),
        datasets: [{ label: "亩均税收 万元/亩", data: rows.map((r) => r.tax_per_mu_wan),
          backgroundColor: rows.map((r) => (low(r) ? "#8e44ad" : "#1f4e79")) }] },
      options: { indexAxis: "y",
        scales: { x: { beginAtZero: true, title: { display: true, text: "万元/亩" } },
          y: { ticks: { autoSkip: false, font: { size: 10 }, callback(v) { const s = this.getLabelForValue(v); return s.length > 12 ? s.slice(0, 11) + "…" : s; } } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (c) => (rows[c.dataIndex] && low(rows[c.dataIndex]) ? "低效企业" : "") } } } } });
    if (ranked.error) $("#dash-status").textContent = `亩均排名：${ranked.error.detail || ranked.error.message}`;
  }
  $("#dash-open").addEventListener("click", () => loadDashboard());
  $("#dash-close").addEventListener("click", () => { $("#dashboard").hidden = true; });

  // ---------- search ----------
  let searchSeq = 0;
  let searchTimer = null;
  async function runSearch(q) {
    const list = $("#search-results");
    const seq = ++searchSeq;
    if (!q.trim()) { list.hidden = true; list.innerHTML = ""; return; }
    let r;
    try {
      r = await getJSON(`v1/search?q=${encodeURIComponent(q.trim())}&limit=20`);
    } catch (err) {
      if (seq !== searchSeq) return;
      list.hidden = false;
      list.innerHTML = `<li class="bad">${esc(err.detail || err.message)}</li>`;
      return;
    }
    if (seq !== searchSeq) return;
    list.hidden = false;
    if (!r.results.length) { list.innerHTML = `<li class="muted">无结果 <small>no parcel found</small></li>`; return; }
    list.innerHTML = r.results.map((h) =>
      `<li data-id="${h.id}" tabindex="0" role="button" title="${esc(h.matched)}"><b>${esc(h.zddm)}</b> <small>${esc(districtName(h.xzqdm))}</small><br>` +
      `${dash(h.holder)}${h.project ? ` · <span class="muted">${esc(h.project)}</span>` : ""}</li>`).join("") +
      (r.more ? `<li class="muted">仅显示前 ${r.limit} 条 <small>first ${r.limit} shown</small></li>` : "");
    list.querySelectorAll("li[data-id]").forEach((li) => {
      const h = r.results.find((x) => String(x.id) === li.dataset.id);
      const go = () => { list.hidden = true; goToParcel(h.id, h.bbox); };
      li.addEventListener("click", go);
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    });
  }
  $("#search").addEventListener("input", (e) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(e.target.value), 250);
  });
  $("#search").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(searchTimer);
      runSearch(e.target.value).then(() => { const li = $("#search-results li[data-id]"); if (li) li.click(); });
    } else if (e.key === "Escape") $("#search-results").hidden = true;
  });
  function goToParcel(id, bbox) {
    if (map && bbox) {
      map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 80, maxZoom: 17, duration: 600 });
      if (map.getZoom() < PARCEL_MINZOOM) map.once("moveend", () => { if (map.getZoom() < 15) map.setZoom(15); });
    }
    selectParcel(id);
  }

  // ---------- parcel card ----------
  async function selectParcel(id, { fly = false } = {}) {
    state.parcel = id ?? null;
    syncURL();
    delete document.body.dataset.parcel;
    if (map) map.setFilter("parcel-selected", ["==", ["id"], id ?? -1]);
    const card = $("#card");
    if (id === null || id === undefined) { card.hidden = true; return; }
    card.hidden = false;
    $("#card-body").innerHTML = `<p class="muted">加载中… <small>loading parcel ${esc(id)}</small></p>`;
    const [facts, st, hist] = await Promise.allSettled([
      getJSON(`collections/parcels/items/${id}`),
      getJSON(`v1/parcels/${id}/status?date=${state.date}`),
      getJSON(`v1/parcels/${id}/history`),
    ]);
    if (state.parcel !== id) return; // another click won
    let html = "";
    if (facts.status === "fulfilled") {
      const p = facts.value.properties || {};
      if (fly && map && facts.value.geometry) {
        const b = bboxOf(facts.value.geometry);
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 16, animate: false });
      }
      html += `<h3 title="Parcel ${esc(id)}">${dash(p.zddm)}</h3><div class="muted">${dash(p.project_name)}</div>`;
      html += statusHTML(st);
      html += mujunHTML(st);
      const rows = (list) => list.map(([k, zh, en]) => `<tr data-field="${k}"><td title="${esc(en)}">${zh}</td><td>${fact(k, p[k])}</td></tr>`).join("");
      html += `<h4 title="Parcel facts">宗地信息 <small>Facts</small></h4><table class="facts">${rows(FACTS)}</table>` +
        `<details><summary title="Agreed terms of the supply contract">约定条件 <small>Agreed terms</small></summary><table class="facts">${rows(AGREED)}</table></details>` +
        `<details><summary title="All properties">全部属性 <small>All properties</small></summary><table>` +
        Object.entries(p).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${dash(v)}</td></tr>`).join("") + `</table></details>`;
    } else {
      const e = facts.reason;
      html += `<h3>宗地 ${esc(id)}</h3>${unavailable(e, "/collections/parcels/items/" + id)}`;
      if (e && e.status === 404) {
        html += `<p class="bad" data-error="not-found">没有编号为 ${esc(id)} 的宗地 <small>no parcel with this id</small></p>`;
        addProblem(`宗地 ${id} 不存在 · no parcel ${id}`);
      } else html += statusHTML(st);
    }
    if (facts.status === "fulfilled") html += historyHTML(hist);
    $("#card-body").innerHTML = html;
    document.body.dataset.parcel = String(id);
  }
  function fact(k, v) {
    if (v === null || v === undefined || v === "") return "—";
    if (typeof v === "boolean") return v ? "是" : "否";
    if (k === "area_mu" || k === "registered_area_m2" || k === "price_wan") return num(v);
    return esc(v);
  }
  function statusHTML(st) {
    let h = `<h4 title="Idle status as of ${esc(state.date)}">状态 <small>Status as of ${esc(state.date)}</small></h4>`;
    if (st.status !== "fulfilled") return h + unavailable(st.reason, "/v1/parcels/{id}/status");
    const s = st.value;
    const k = CAT[s.category] || UNKNOWN;
    h += `<div><span class="badge" style="background:${k.color}" title="${esc(k.en)} (${esc(s.category)})">${esc(s.category_zh || k.zh)}</span>` +
      (s.since ? ` <span class="muted">自 ${esc(s.since)} 起 <small>since</small></span>` : "") +
      (s.low_efficiency ? ` <span class="badge low" style="background:#8e44ad" title="Low efficiency flag">低效</span>` : "") + `</div>`;
    if (s.idle_fee_wan) h += `<div>闲置费 <small>idle fee</small>：${num(s.idle_fee_wan)} 万元</div>`;
    const reasons = s.reasons || [];
    if (reasons.length) {
      h += `<ul class="reasons">` + reasons.map((r) =>
        `<li title="${esc(r.en || r.code)}">${esc(r.zh || r.code)}${r.since ? ` <span class="muted">（${esc(r.since)}）</span>` : ""}</li>`).join("") + `</ul>`;
    }
    return h;
  }
  // 亩均效益: the latest full year's indicators the status was judged on.
  function mujunHTML(st) {
    if (st.status !== "fulfilled") return "";
    const s = st.value.status || {};
    const row = (k, zh, en, v, unit) => `<tr data-field="${k}"><td title="${esc(en)}">${zh}</td><td>${v === null || v === undefined ? "—" : `${num(v)} ${unit}`}</td></tr>`;
    return `<h4 title="Per-mu figures of the latest full year before the date">亩均效益 <small>Per-mu figures${s.indicator_year ? `, ${esc(s.indicator_year)}` : ""}</small></h4>` +
      `<table class="facts mujun">` +
      `<tr data-field="indicator_year"><td title="Indicator year">年度</td><td>${dash(s.indicator_year)}</td></tr>` +
      row("tax_per_mu_wan", "亩均税收", "Tax per mu", s.tax_per_mu_wan, "万元/亩") +
      row("va_per_mu_wan", "亩均增加值", "Value added per mu", s.va_per_mu_wan, "万元/亩") +
      `<tr data-field="low_efficiency"><td title="Below the district's threshold">低效</td><td>${st.value.low_efficiency ? "是 yes" : "否 no"}</td></tr></table>`;
  }
  function historyHTML(hist) {
    let h = `<h4 title="Events, versions and audit trail">历史 <small>History</small></h4>`;
    if (hist.status !== "fulfilled") return h + unavailable(hist.reason, "/v1/parcels/{id}/history");
    const v = hist.value;
    const events = (v.events || []).slice().sort((a, b) => String(b.event_date).localeCompare(String(a.event_date)));
    if (events.length) {
      h += `<table class="events">` + events.map((e) =>
        `<tr><td>${dash(e.event_date)}</td><td title="${esc(e.type)}">${esc(EVENT_ZH[e.type] || e.type)}</td><td>${dash(e.doc_no)}</td></tr>`).join("") + `</table>`;
    } else h += `<div class="muted">无事件 <small>no events</small></div>`;
    const versions = v.versions || [];
    h += `<div class="muted">版本 <small>versions</small>：${versions.length}</div>`;
    const audit = v.audit || [];
    if (audit.length) {
      h += `<details><summary title="Audit log">审计记录 <small>Audit (${audit.length})</small></summary><table class="events audit">` +
        audit.map((a) => `<tr><td>${dash(String(a.at || "").slice(0, 19).replace("T", " "))}</td><td>${dash(a.actor)}</td><td>${dash(a.op)}</td><td>${dash(a.reason)}</td></tr>`).join("") +
        `</table></details>`;
    }
    return h;
  }

  // ---------- remediation projects (低效用地整治, issue 15) ----------
  // The current projects (the layer is not versioned: the date picker does not move it),
  // each drawn as the union of its parcels from their own vector source, coloured by
  // status in the vocabulary's colours (/v1/vocabulary remediation_statuses, the colours
  // of the layer's style too), toggled in the layer list; a click opens the project's
  // card (GET /v1/remediation/{id}) over the map. Test hook: <body data-project="ID">
  // once a card has loaded.
  const REMEDIATION_LAYERS = ["remediation-fill", "remediation-line"];
  let projectPopup = null;
  async function addRemediationLayer() {
    const statuses = (await getJSON("v1/vocabulary")).remediation_statuses || [];
    const colour = ["match", ["get", "status"], ...statuses.flatMap((s) => [s.code, s.colour]), "#888888"];
    map.addSource("remediation", { type: "vector", tiles: [`${BASE}tiles/remediation_projects/{z}/{x}/{y}.mvt`],
      minzoom: 8, maxzoom: 16, attribution: "landreg" });
    const visibility = $('input[data-layer="remediation"]').checked ? "visible" : "none";
    map.addLayer({ id: "remediation-fill", type: "fill", source: "remediation", "source-layer": "remediation_projects",
      layout: { visibility }, paint: { "fill-color": colour, "fill-opacity": 0.25 } }, "parcel-selected");
    map.addLayer({ id: "remediation-line", type: "line", source: "remediation", "source-layer": "remediation_projects",
      layout: { visibility }, paint: { "line-color": colour, "line-width": 2.5, "line-dasharray": [3, 1.5] } }, "parcel-selected");
    LAYER_GROUPS.remediation = REMEDIATION_LAYERS;
    $("#remediation-legend").innerHTML = statuses.map((s) =>
      `<span data-status="${esc(s.code)}" title="${esc(s.en)}"><i class="sw" style="background:${esc(s.colour)}"></i>${esc(s.code)}</span>`).join(" ");
    map.on("click", "remediation-fill", (e) => { if (e.features.length) showProject(e.features[0].id, e.lngLat); });
  }
  async function showProject(id, lngLat) {
    delete document.body.dataset.project;
    if (projectPopup) projectPopup.remove();
    let html;
    try {
      const p = await getJSON(`v1/remediation/${encodeURIComponent(id)}`);
      const rows = [["整治状态", "Status", `${esc(p.status)} <small>${dash(p.status_since)}</small>`], ["整治方式", "Method", dash(p.method)],
        ["责任单位", "Responsible town", dash(p.town)], ["计划整治（亩）", "Planned, mu", num(p.planned_mu)],
        ["腾出（亩）", "Freed, mu", p.freed_mu === null ? "—" : num(p.freed_mu)],
        ["计划期", "Planned", `${dash(p.planned_from)} – ${dash(p.planned_to)}`],
        ["宗地", "Parcels", String((p.parcels || []).length)], ["企业", "Firms", dash((p.enterprises || []).join("、"))]];
      html = `<div class="project-card" data-project="${esc(p.id)}"><b>${esc(p.name)}</b><table>` +
        rows.map(([zh, en, v]) => `<tr><th title="${en}">${zh}</th><td>${v}</td></tr>`).join("") + `</table>` +
        (p.plan_text ? `<p title="一企一策 plan">${esc(p.plan_text)}</p>` : "") + `</div>`;
    } catch (err) {
      html = unavailable(err, `v1/remediation/${id}`);
    }
    // Open towards the wider side of the map: the parcel card covers its left edge.
    const x = map.project(lngLat).x, w = map.getCanvas().clientWidth;
    projectPopup = new maplibregl.Popup({ offset: 8, maxWidth: "340px", anchor: x < w / 2 ? "left" : "right" })
      .setLngLat(lngLat).setHTML(html).addTo(map);
    document.body.dataset.project = String(id);
  }

  // ---------- toggles ----------
  function bindToggles() {
    document.querySelectorAll("input[data-layer]").forEach((cb) => cb.addEventListener("change", () => {
      if (!map) return;
      for (const id of LAYER_GROUPS[cb.dataset.layer]) map.setLayoutProperty(id, "visibility", cb.checked ? "visible" : "none");
      if (cb.dataset.layer === "districts") showDistrictLabels(cb.checked);
      if (cb.dataset.layer === "basemap") applyDistrictFill();
      if (cb.dataset.layer.startsWith("block_lines")) {
        const one = $('input[data-layer="block_lines_1"]').checked, two = $('input[data-layer="block_lines_2"]').checked;
        state.level = one && !two ? "1" : two && !one ? "2" : "";
        $("#level").value = state.level;
        syncURL();
        updateLineLabels();
        renderPrintLegend();
      }
    }));
  }
  let statusServed = null; // null: no parcel seen yet; false: parcels lack the status attribute
  function updateHint() {
    const z = map.getZoom();
    let t = `缩放 z${z.toFixed(1)}`;
    if (z < POINTS_MINZOOM) t += ` · 放大至 ${POINTS_MINZOOM} 级以上显示宗地 (zoom in to see parcels)`;
    else if (z < PARCEL_MINZOOM) t += ` · 宗地按格网汇总为圆点（点击放大），${PARCEL_MINZOOM} 级以上显示范围 (parcels counted per grid cell, click to zoom in; shapes from zoom ${PARCEL_MINZOOM})`;
    else if (statusServed === false) t += " · 服务端暂未提供宗地状态，宗地以灰色显示 (parcel status not served yet)";
    $("#hint").textContent = t;
  }
  function checkStatusServed() {
    if (map.getZoom() < PARCEL_MINZOOM) return;
    const fs = map.queryRenderedFeatures({ layers: ["parcels-fill"] });
    if (!fs.length) return;
    statusServed = fs.some((f) => f.properties.status !== undefined);
    updateHint();
  }

  // ---------- refresh ----------
  async function refresh({ fit = false } = {}) {
    const gen = ++generation;
    setReady(false);
    syncURL();
    updateExportLinks();
    keyfigLoading = loadKeyFigures();
    const work = [Promise.all([loadQuota(), loadIdle()]).then(() => { if (state.idle) renderIdle(); }), keyfigLoading, loadShading()];
    if (!$("#dashboard").hidden) work.push(loadDashboard());
    if (map) {
      map.setFilter("district-selected", ["==", ["get", "xzqdm"], state.district]);
      for (const id of PARCEL_LAYERS) map.setFilter(id, parcelFilter());
      if (fit) fitTo(state.district);
      work.push(whenIdle().then(updateLineLabels));
      if (state.parcel !== null) work.push(selectParcel(state.parcel));
    }
    await Promise.allSettled(work);
    if (gen === generation) {
      setReady(true);
      status(`数据日期 ${state.date} · as of ${state.date}`);
    }
  }
  function fitTo(code) {
    const d = state.districts.find((x) => x.code === code);
    const b = d ? d.bbox : state.extent;
    if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 30, animate: false });
  }

  function readCategories() {
    const raw = params.get("cat");
    if (raw === null || raw === "") return;
    const codes = raw.split(",").map((s) => s.trim()).filter(Boolean);
    const bad = codes.filter((c) => !CAT[c]);
    if (bad.length) problems.push(`未知的类别 ${bad.join(", ")}，已忽略 · unknown categories ignored`);
    const ok = codes.filter((c) => CAT[c]);
    state.cats = ok.length ? new Set(ok) : null;
  }

  // ---------- start ----------
  async function start() {
    try {
      await loadVocabulary();
    } catch (err) {
      if (err.status === 401) { setReady(true); return; } // the token form says what to do
      const f = $("#fatal");
      f.hidden = false;
      f.textContent = `无法读取类别与标签（/v1/vocabulary）：${err.detail || err.message} / cannot read the vocabulary`;
      document.body.dataset.error = "vocabulary";
      setReady(true);
      return;
    }
    readCategories();
    $("#date").value = state.date;
    $("#basemap").value = state.basemap;
    $("#std").checked = state.std;
    $("#low").checked = state.low;
    $("#level").value = state.level;
    $("#measure").value = state.measure;
    $('input[data-layer="block_lines_1"]').checked = state.level !== "2";
    $('input[data-layer="block_lines_2"]').checked = state.level !== "1";
    await Promise.all([loadExtent(), loadDistricts()]);
    if (problems.length) notice(problems.join("；"));

    if (typeof maplibregl === "undefined") {
      const f = $("#fatal");
      f.hidden = false;
      f.innerHTML = "地图库未打包：请先运行 <code>make web</code>（scripts/web.sh）后重新构建。<br>" +
        "<small>MapLibre GL JS is missing from this build: run <code>make web</code>, then rebuild.</small>";
      document.body.dataset.error = "no-maplibre";
      await refresh();
      return;
    }
    try {
      map = new maplibregl.Map({
        container: "map",
        style: buildStyle(),
        center: [120.7, 27.85],
        zoom: 9,
        minZoom: 4,
        maxZoom: 19,
        hash: true, // #zoom/lat/lon
        attributionControl: { compact: true },
        dragRotate: false,
        pitchWithRotate: false,
        // The print layout and screenshots read the drawn map back.
        canvasContextAttributes: { preserveDrawingBuffer: true },
        transformRequest: (url) => (token && url.startsWith(BASE) ? { url, headers: authHeaders() } : { url }),
      });
    } catch (err) {
      const f = $("#fatal");
      f.hidden = false;
      f.innerHTML = `地图无法启动（浏览器需支持 WebGL）<br><small>The map could not start (WebGL needed): ${esc(err.message)}</small>`;
      document.body.dataset.error = "webgl";
      await refresh();
      return;
    }
    window.landregMap = map;
    $("#map").append($("#north")); // drawn over the map, printed with it
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric", maxWidth: 140 }), "bottom-left");
    map.on("error", (e) => {
      const st = e && e.error && e.error.status;
      if (st === 401) askToken("tiles: 401");
      if (e && e.error) console.warn("map:", e.error.message || e.error);
    });
    await new Promise((resolve) => map.once("load", resolve));
    applyBasemap();
    addDistrictLabels();
    await addRemediationLayer();
    bindToggles();
    if (!hadView) fitTo(state.district);
    updateHint();
    map.on("zoomend", updateHint);
    map.on("moveend", () => { updateHint(); updateLineLabels(); });
    map.on("idle", checkStatusServed);
    map.on("sourcedata", (e) => { if (e.sourceId === "land" && e.isSourceLoaded) updateLineLabels(); });

    const hover = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 8, maxWidth: "320px" });
    const parcelAt = (pt) => map.queryRenderedFeatures(pt, { layers: ["parcels-fill", "parcel-cells"] })[0];
    map.on("mousemove", (e) => {
      const f = parcelAt(e.point);
      map.getCanvas().style.cursor = f ? "pointer" : "";
      if (!f) { hover.remove(); return; }
      const k = CAT[f.properties.status] || UNKNOWN;
      if (f.layer.id === "parcel-cells") {
        hover.setLngLat(e.lngLat).setHTML(
          `<b>${num(f.properties.n)} 宗 · ${num(f.properties.area_mu)} 亩</b><br><i class="sw" style="background:${k.color}"></i>${esc(k.zh)}` +
          (f.properties.low_efficiency ? " · 低效" : "") + (f.properties.is_standard_land ? " · 标准地" : "") +
          `<br>${dash(f.properties.xzqdm)} · 点击放大 (click to zoom in)`).addTo(map);
        return;
      }
      hover.setLngLat(e.lngLat).setHTML(
        `<b>${dash(f.properties.zddm)}</b><br>${f.properties.project_name ? esc(f.properties.project_name) + "<br>" : ""}` +
        `<i class="sw" style="background:${k.color}"></i>${esc(k.zh)} · ${num(f.properties.area_mu)} 亩` +
        (f.properties.low_efficiency ? " · 低效" : "") + (f.properties.is_standard_land ? " · 标准地" : "")).addTo(map);
    });
    map.on("mouseout", () => hover.remove());
    map.on("click", (e) => {
      const f = parcelAt(e.point);
      if (f && f.layer.id === "parcel-cells") { map.easeTo({ center: e.lngLat, zoom: Math.min(PARCEL_MINZOOM + 1, map.getZoom() + 2) }); return; }
      if (f && f.id !== undefined) { selectParcel(f.id); return; }
      const b = map.queryRenderedFeatures(e.point, { layers: ["block-lines-1-fill", "block-lines-2-fill"] })[0];
      if (b) {
        new maplibregl.Popup({ offset: 6 }).setLngLat(e.lngLat).setHTML(
          `<b>${dash(b.properties.name)}</b><br>${dash(b.properties.code)}<br>` +
          `${b.properties.level === 1 ? "一级" : "二级"}工业区块线 · ${num(b.properties.area_mu)} 亩 · 版本 v${dash(b.properties.version)}`).addTo(map);
      }
    });
    applyFilters();
    // A shared ?parcel= without a view: frame the parcel.
    if (state.parcel !== null && !hadView) await selectParcel(state.parcel, { fly: true });
    await refresh();
  }

  // ---------- controls ----------
  $("#date").addEventListener("change", () => {
    const d = validDate($("#date").value);
    if (!d) { notice("日期无效 · not a valid date"); $("#date").value = state.date; return; }
    if (d === state.date) return;
    state.date = d;
    if (map) map.getSource("land").setTiles([tileURL()]);
    refresh();
  });
  $("#district").addEventListener("change", () => {
    state.district = $("#district").value;
    refresh({ fit: true });
  });
  $("#level").addEventListener("change", () => { state.level = $("#level").value; applyFilters(); });
  $("#std").addEventListener("change", () => { state.std = $("#std").checked; applyFilters(); });
  $("#low").addEventListener("change", () => { state.low = $("#low").checked; applyFilters(); });
  $("#measure").addEventListener("change", async () => {
    state.measure = $("#measure").value;
    syncURL();
    setReady(false);
    await loadShading();
    setReady(true);
  });
  $("#notice-close").addEventListener("click", () => { $("#notice").hidden = true; });
  $("#card-close").addEventListener("click", () => selectParcel(null));
  $("#basemap-save").addEventListener("click", () => {
    state.basemap = $("#basemap").value.trim();
    if (state.basemap) localStorage.setItem("landreg.basemap", state.basemap);
    else localStorage.removeItem("landreg.basemap");
    if (map) applyBasemap();
  });
  $("#basemap-clear").addEventListener("click", () => {
    state.basemap = "";
    localStorage.removeItem("landreg.basemap");
    if (map) applyBasemap();
  });

  window.landreg = { state, selectParcel, refresh, exportURL, toggleCategory, preparePrint, loadDashboard, charts, get categories() { return CAT; } };
  window.landreg.showProject = showProject; // remediation projects (issue 15)
  start().catch((err) => {
    console.error(err);
    status(`出错 / error: ${err.message}`);
    document.body.dataset.error = err.message;
    setReady(true);
  });
})();
