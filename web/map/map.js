// landreg 工业用地一张图 (挂图作战): MapLibre GL JS over landreg's vector tiles, with
// the district panel (block-line quota, idle land by category) and a parcel card
// (facts, status and reasons, history). Every URL is relative to the page (…/map/), so
// the page works behind a proxy under any prefix. Parcels only ever come as vector
// tiles (from zoom 12), never as one GeoJSON download, so 200 000 parcels stay smooth.
//
// Test hooks: window.landregMap is the maplibre Map; <body data-ready="true"> once the
// tiles in view and the panels have loaded (false while a date or district change is
// under way); <body data-parcel="ID"> once a parcel's card has loaded.
"use strict";
(() => {
  const $ = (sel) => document.querySelector(sel);
  const BASE = new URL("../", location.href).href; // the landreg root, relative to /map/
  const TILE_LAYERS = "districts,block_lines,parcels";
  const PARCEL_MINZOOM = 12;
  const params = new URLSearchParams(location.search);

  // Idle-status categories (domain.md §8.4) in legend order, with the map palette:
  // idle in reds (darker = worse), under-use in orange/yellow, construction in blues,
  // normal green, retired dark grey, unknown (no status attribute) light grey.
  // Status categories and event types with their labels and colours come from the server
  // (/v1/vocabulary, the database's tables), so the map, the reports and the API say the
  // same thing; UNKNOWN is the map's own, for parcels whose status it has not been given.
  const UNKNOWN = ["UNKNOWN", "状态未知", "Status unknown (not yet served)", "#b8b8b8"];
  let CATEGORIES = [UNKNOWN]; // [code, 中文, English, colour], most serious first
  let CAT = {};
  let EVENT_ZH = {};
  async function loadVocabulary() {
    const v = await getJSON("v1/vocabulary");
    CATEGORIES = [...v.idle_categories.map((c) => [c.code, c.zh, c.en, c.colour]), UNKNOWN];
    CAT = Object.fromEntries(CATEGORIES.map(([code, zh, en, color]) => [code, { code, zh, en, color }]));
    EVENT_ZH = Object.fromEntries(v.event_types.map((e) => [e.code, e.zh]));
  }

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

  const state = {
    date: validDate(params.get("date")) || today(),
    district: params.get("district") || "",
    districts: [], // [{code, name, bbox, label:[lon,lat]}]
    extent: null, // [minLon, minLat, maxLon, maxLat]
    parcel: null, // selected parcel id
    basemap: params.get("basemap") ?? localStorage.getItem("landreg.basemap") ?? "",
  };
  let map = null;
  let generation = 0;

  // ---------- helpers ----------
  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }
  function validDate(s) { return s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null; }
  function esc(v) {
    return String(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function num(v, digits = 2) {
    if (v === null || v === undefined || v === "" || Number.isNaN(Number(v))) return "—";
    return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function dash(v) { return v === null || v === undefined || v === "" ? "—" : esc(v); }
  async function getJSON(path) {
    const res = await fetch(BASE + path, { headers: { Accept: "application/json, application/geo+json" } });
    if (!res.ok) {
      const err = new Error(`HTTP ${res.status}`);
      err.status = res.status;
      try { const p = await res.json(); err.detail = p.detail || p.title; } catch { /* not JSON */ }
      throw err;
    }
    return res.json();
  }
  // A failed panel request says what the server said (a 404 included: every route the
  // map calls exists, so a 404 is a real answer, an unknown district or parcel).
  function unavailable(err, route) {
    return `<span class="bad" title="${esc(route)}">— <small>${esc(err.detail || err.message)}</small></span>`;
  }
  function setReady(v) { document.body.dataset.ready = v ? "true" : "false"; }
  function status(text) { $("#status").textContent = text; }
  function syncURL() {
    const p = new URLSearchParams(location.search);
    p.set("date", state.date);
    if (state.district) p.set("district", state.district); else p.delete("district");
    history.replaceState(null, "", `${location.pathname}?${p}`);
  }

  // ---------- tiles and style ----------
  function tileURL() {
    return `${BASE}tiles/${TILE_LAYERS}/{z}/{x}/{y}.mvt?datetime=${encodeURIComponent(state.date)}`;
  }
  function basemapURLs() {
    return state.basemap.split("|").map((s) => s.trim()).filter((s) => /^https?:\/\//.test(s) || s.startsWith("/"));
  }
  function statusColor() {
    return ["match", ["coalesce", ["get", "status"], "UNKNOWN"],
      ...CATEGORIES.filter(([c]) => c !== "UNKNOWN").flatMap(([c, , , color]) => [c, color]), CAT.UNKNOWN.color];
  }

  function buildStyle() {
    const source = { type: "vector", tiles: [tileURL()], minzoom: 5, maxzoom: 16, attribution: "landreg" };
    if (state.extent) source.bounds = state.extent;
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
        { id: "parcels-fill", type: "fill", source: "land", "source-layer": "parcels", minzoom: PARCEL_MINZOOM,
          paint: { "fill-color": statusColor(), "fill-opacity": 0.85 } },
        { id: "parcels-line", type: "line", source: "land", "source-layer": "parcels", minzoom: 13,
          paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 13, 0.3, 17, 1.2], "line-opacity": 0.9 } },
        { id: "block-lines-2-line", type: "line", source: "land", "source-layer": "block_lines", filter: ["==", ["get", "level"], 2],
          paint: { "line-color": "#f58220", "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1, 15, 2.5] } },
        { id: "block-lines-1-line", type: "line", source: "land", "source-layer": "block_lines", filter: ["==", ["get", "level"], 1],
          paint: { "line-color": "#d7191c", "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1.2, 15, 3] } },
        { id: "districts-line", type: "line", source: "land", "source-layer": "districts",
          paint: { "line-color": "#4a5568", "line-width": 1.6, "line-dasharray": [4, 2] } },
        { id: "district-selected", type: "line", source: "land", "source-layer": "districts", filter: ["==", ["get", "xzqdm"], ""],
          paint: { "line-color": "#1f4e79", "line-width": 3.5, "line-opacity": 0.8 } },
        { id: "parcel-selected", type: "line", source: "land", "source-layer": "parcels", filter: ["==", ["id"], -1],
          paint: { "line-color": "#00e5ff", "line-width": 3 } },
      ],
    };
  }
  const LAYER_GROUPS = {
    districts: ["districts-fill", "districts-line", "district-selected"],
    block_lines_1: ["block-lines-1-fill", "block-lines-1-line"],
    block_lines_2: ["block-lines-2-fill", "block-lines-2-line"],
    parcels: ["parcels-fill", "parcels-line", "parcel-selected"],
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
    // Over a basemap the districts' paper-coloured fill becomes a light veil.
    map.setPaintProperty("districts-fill", "fill-opacity", LAYER_GROUPS.basemap.length && show ? 0.25 : 0.92);
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

  async function loadDistricts() {
    // Three to a few dozen features: small enough for GeoJSON (names, bboxes, label points).
    const sel = $("#district");
    try {
      const fc = await getJSON("collections/districts/items?limit=1000");
      state.districts = fc.features.map((f) => {
        const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
        const bbox = [Infinity, Infinity, -Infinity, -Infinity];
        let best = polys[0][0];
        for (const p of polys) {
          for (const [x, y] of p[0]) {
            bbox[0] = Math.min(bbox[0], x); bbox[1] = Math.min(bbox[1], y);
            bbox[2] = Math.max(bbox[2], x); bbox[3] = Math.max(bbox[3], y);
          }
          if (ringArea(p[0]) > ringArea(best)) best = p[0];
        }
        return { code: String(f.properties.xzqdm || f.id), name: f.properties.name, bbox, label: ringCentroid(best) };
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
    if (!state.districts.some((d) => d.code === state.district)) state.district = "";
    sel.value = state.district;
  }

  function addDistrictLabels() {
    // HTML markers: crisp CJK text from the system fonts, no glyph server needed.
    for (const d of state.districts) {
      const el = document.createElement("div");
      el.className = "district-label";
      el.innerHTML = `${esc(d.name)}<small>${esc(d.code)}</small>`;
      el.title = `${d.name} (district ${d.code})`;
      const m = new maplibregl.Marker({ element: el }).setLngLat(d.label).addTo(map);
      d.marker = m;
    }
  }
  function showDistrictLabels(on) {
    for (const d of state.districts) if (d.marker) d.marker.getElement().style.display = on ? "" : "none";
  }

  // ---------- panels ----------
  async function loadQuota() {
    const body = $("#quota-body");
    const code = state.district;
    const route = code ? `v1/districts/${code}/quota` : "v1/quota";
    let q;
    try {
      q = await getJSON(`${route}?date=${state.date}`);
    } catch (err) {
      body.innerHTML = unavailable(err, "/" + route);
      $("#quota").dataset.district = code;
      return;
    }
    const row = (field, zh, en, a, cls = "") =>
      `<tr data-field="${field}"><td title="${esc(en)}">${zh}</td>` +
      `<td class="num ${cls}" data-mu="${a ? a.mu : ""}" title="${a ? `${num(a.ha, 4)} 公顷 (ha) · ${num(a.m2, 2)} m²` : "not available"}">${a ? num(a.mu) : "—"}</td>` +
      `<td class="unit">亩</td></tr>`;
    const margin = q.margin;
    const marginCls = margin ? (margin.mu >= 0 ? "good" : "bad") : "";
    const pass = q.pass === true ? `<span class="good">✓ 符合总量只增不减</span>` : q.pass === false ? `<span class="bad">✗ 低于基数</span>` : "—";
    body.innerHTML = `<table>
      <tr><th>${esc(q.name || "全市")} <small>${esc(q.xzqdm || "city")}</small></th><th class="num" title="as of">${esc(q.date || state.date)}</th><th></th></tr>
      ${row("total", "区块线总面积", "Block lines, total", q.total)}
      ${row("level1", "　其中一级", "of which level 1", q.level1)}
      ${row("level2", "　其中二级", "of which level 2", q.level2)}
      ${row("baseline", "基数", "Baseline (total on the baseline date)", q.baseline)}
      ${row("margin", "余量（总量−基数）", "Margin: total minus baseline", margin, marginCls)}
      ${row("reserve", "储备（补划未用）", "Reserve: compensation area not yet used", q.reserve)}
      ${row("committed", "承诺总量", "Committed total", q.committed)}
      <tr><td title="Rule: total never below baseline">考核 <small>check</small></td><td colspan="2" class="num">${pass}</td></tr>
    </table>` + (q.baseline_doc ? `<p class="muted" title="Baseline document">基数依据：${esc(q.baseline_doc)}</p>` : "");
    $("#quota").dataset.district = code;
  }

  async function loadIdle() {
    const body = $("#idle-body");
    const qs = `date=${state.date}` + (state.district ? `&district=${state.district}` : "");
    let r;
    try {
      r = await getJSON(`v1/audit/idle?${qs}`);
    } catch (err) {
      body.innerHTML = unavailable(err, "/v1/audit/idle");
      return;
    }
    const rows = r.rows || [];
    // Several districts give one row each per category: sum them per category.
    const by = new Map();
    for (const x of rows) {
      const c = by.get(x.category) || { category: x.category, category_zh: x.category_zh, count: 0, registered_mu: 0, computed_mu: 0, idle_fee_wan: 0 };
      c.count += Number(x.parcels ?? x.count) || 0;
      c.registered_mu += Number(x.registered_mu) || 0;
      c.computed_mu += Number(x.computed_mu) || 0;
      c.idle_fee_wan += Number(x.idle_fee_wan) || 0;
      by.set(x.category, c);
    }
    const order = CATEGORIES.map(([c]) => c);
    const rank = (c) => (order.includes(c) ? order.indexOf(c) : order.length);
    const list = [...by.values()].sort((a, b) => rank(a.category) - rank(b.category));
    if (!list.length) { body.innerHTML = `<span class="muted">无 <small>none</small></span>`; return; }
    let tc = 0, tm = 0, tf = 0;
    const trs = list.map((c) => {
      tc += c.count; tm += c.registered_mu; tf += c.idle_fee_wan;
      const k = CAT[c.category] || CAT.UNKNOWN;
      return `<tr data-category="${esc(c.category)}"><td title="${esc(k.en)} (${esc(c.category)})"><i class="sw" style="background:${k.color}"></i>${esc(c.category_zh || k.zh)}</td>` +
        `<td class="num">${c.count}</td><td class="num" title="computed (ellipsoidal): ${num(c.computed_mu)} 亩">${num(c.registered_mu)}</td>` +
        `<td class="num">${c.idle_fee_wan ? num(c.idle_fee_wan) : "—"}</td></tr>`;
    }).join("");
    body.innerHTML = `<table><tr><th title="Category">类别</th><th class="num" title="Parcels">宗数</th>` +
      `<th class="num" title="Registered area, mu">面积（亩）</th><th class="num" title="Idle fee, 10k CNY">闲置费（万元）</th></tr>${trs}` +
      `<tr class="total"><td>合计 <small>total</small></td><td class="num">${tc}</td><td class="num">${num(tm)}</td><td class="num">${tf ? num(tf) : "—"}</td></tr></table>`;
  }

  // ---------- parcel card ----------
  async function selectParcel(id) {
    state.parcel = id;
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
      html += `<h3 title="Parcel ${esc(id)}">${dash(p.zddm)}</h3><div class="muted">${dash(p.project_name)}</div>`;
      html += statusHTML(st);
      const rows = (list) => list.map(([k, zh, en]) => `<tr data-field="${k}"><td title="${esc(en)}">${zh}</td><td>${fact(k, p[k])}</td></tr>`).join("");
      html += `<h4 title="Parcel facts">宗地信息 <small>Facts</small></h4><table class="facts">${rows(FACTS)}</table>` +
        `<details><summary title="Agreed terms of the supply contract">约定条件 <small>Agreed terms</small></summary><table class="facts">${rows(AGREED)}</table></details>` +
        `<details><summary title="All properties">全部属性 <small>All properties</small></summary><table>` +
        Object.entries(p).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${dash(v)}</td></tr>`).join("") + `</table></details>`;
    } else {
      html += `<h3>宗地 ${esc(id)}</h3>${unavailable(facts.reason, "/collections/parcels/items/" + id)}`;
      html += statusHTML(st);
    }
    html += historyHTML(hist);
    $("#card-body").innerHTML = html;
    document.body.dataset.parcel = String(id);
  }
  function fact(k, v) {
    if (v === null || v === undefined || v === "") return "—";
    if (typeof v === "boolean") return v ? "是" : "否";
    if (k === "area_mu") return num(v);
    if (k === "registered_area_m2" || k === "price_wan") return num(v);
    return esc(v);
  }
  function statusHTML(st) {
    let h = `<h4 title="Idle status as of ${esc(state.date)}">状态 <small>Status as of ${esc(state.date)}</small></h4>`;
    if (st.status !== "fulfilled") return h + unavailable(st.reason, "/v1/parcels/{id}/status");
    const s = st.value;
    const k = CAT[s.category] || CAT.UNKNOWN;
    h += `<div><span class="badge" style="background:${k.color}" title="${esc(k.en)} (${esc(s.category)})">${esc(s.category_zh || k.zh)}</span>` +
      (s.since ? ` <span class="muted">自 ${esc(s.since)} 起 <small>since</small></span>` : "") +
      (s.low_efficiency ? ` <span class="badge" style="background:#8e44ad" title="Low efficiency flag">低效</span>` : "") + `</div>`;
    if (s.idle_fee_wan) h += `<div>闲置费 <small>idle fee</small>：${num(s.idle_fee_wan)} 万元</div>`;
    const reasons = s.reasons || [];
    if (reasons.length) {
      h += `<ul class="reasons">` + reasons.map((r) =>
        `<li title="${esc(r.en || r.code)}">${esc(r.zh || r.code)}${r.since ? ` <span class="muted">（${esc(r.since)}）</span>` : ""}</li>`).join("") + `</ul>`;
    }
    return h;
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

  // ---------- legend and toggles ----------
  function buildLegend() {
    $("#legend").innerHTML = CATEGORIES.map(([code, zh, en, color]) =>
      `<li title="${esc(en)} (${code})"><i class="sw" style="background:${color}"></i>${zh}</li>`).join("");
  }
  function bindToggles() {
    document.querySelectorAll("input[data-layer]").forEach((cb) => cb.addEventListener("change", () => {
      if (!map) return;
      for (const id of LAYER_GROUPS[cb.dataset.layer]) map.setLayoutProperty(id, "visibility", cb.checked ? "visible" : "none");
      if (cb.dataset.layer === "districts") showDistrictLabels(cb.checked);
      if (cb.dataset.layer === "basemap") map.setPaintProperty("districts-fill", "fill-opacity", LAYER_GROUPS.basemap.length && cb.checked ? 0.25 : 0.92);
    }));
  }
  let statusServed = null; // null: no parcel seen yet; false: parcels lack the status attribute
  function updateHint() {
    const z = map.getZoom();
    let t = `缩放 z${z.toFixed(1)}`;
    if (z < PARCEL_MINZOOM) t += ` · 放大至 ${PARCEL_MINZOOM} 级以上显示宗地 (zoom in to see parcels)`;
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
    const work = [loadQuota(), loadIdle()];
    if (map) {
      map.setFilter("district-selected", ["==", ["get", "xzqdm"], state.district]);
      if (fit) fitTo(state.district);
      work.push(whenIdle());
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

  // ---------- start ----------
  async function start() {
    try {
      await loadVocabulary();
    } catch (err) {
      const f = $("#fatal");
      f.hidden = false;
      f.textContent = `无法读取类别与标签（/v1/vocabulary）：${err.detail || err.message} / cannot read the vocabulary`;
      document.body.dataset.error = "vocabulary";
      setReady(true);
      return;
    }
    buildLegend();
    $("#date").value = state.date;
    $("#basemap").value = state.basemap;
    await Promise.all([loadExtent(), loadDistricts()]);

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
        hash: false,
        attributionControl: { compact: true },
        dragRotate: false,
        pitchWithRotate: false,
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
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    map.on("error", (e) => { if (e && e.error) console.warn("map:", e.error.message || e.error); });
    await new Promise((resolve) => map.once("load", resolve));
    applyBasemap();
    addDistrictLabels();
    bindToggles();
    fitTo(state.district);
    updateHint();
    map.on("zoomend", updateHint);
    map.on("moveend", updateHint);
    map.on("idle", checkStatusServed);

    const hover = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 8, maxWidth: "320px" });
    map.on("mousemove", (e) => {
      const f = map.queryRenderedFeatures(e.point, { layers: ["parcels-fill"] })[0];
      map.getCanvas().style.cursor = f ? "pointer" : "";
      if (!f) { hover.remove(); return; }
      const k = CAT[f.properties.status] || CAT.UNKNOWN;
      hover.setLngLat(e.lngLat).setHTML(
        `<b>${dash(f.properties.zddm)}</b><br>${dash(f.properties.project_name)}<br>` +
        `<i class="sw" style="background:${k.color}"></i>${esc(f.properties.status_zh || k.zh)} · ${num(f.properties.area_mu)} 亩`).addTo(map);
    });
    map.on("mouseout", () => hover.remove());
    map.on("click", (e) => {
      const f = map.queryRenderedFeatures(e.point, { layers: ["parcels-fill"] })[0];
      if (f && f.id !== undefined) { selectParcel(f.id); return; }
      const b = map.queryRenderedFeatures(e.point, { layers: ["block-lines-1-fill", "block-lines-2-fill"] })[0];
      if (b) {
        new maplibregl.Popup({ offset: 6 }).setLngLat(e.lngLat).setHTML(
          `<b>${dash(b.properties.name)}</b><br>${dash(b.properties.code)}<br>` +
          `${b.properties.level === 1 ? "一级" : "二级"}工业区块线 · ${num(b.properties.area_mu)} 亩 · 版本 v${dash(b.properties.version)}`).addTo(map);
      }
    });
    await refresh();
  }

  // ---------- controls ----------
  $("#date").addEventListener("change", () => {
    const d = validDate($("#date").value);
    if (!d || d === state.date) return;
    state.date = d;
    if (map) map.getSource("land").setTiles([tileURL()]);
    refresh();
  });
  $("#district").addEventListener("change", () => {
    state.district = $("#district").value;
    refresh({ fit: true });
  });
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

  window.landreg = { state, selectParcel, refresh, categories: CAT };
  start().catch((err) => {
    console.error(err);
    status(`出错 / error: ${err.message}`);
    document.body.dataset.error = err.message;
  });
})();
