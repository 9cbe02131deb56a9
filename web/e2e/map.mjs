// Browser test of /map/ in Debian's headless Chromium, driven by playwright-core.
// Run by web/map_test.go (go test ./web/), which starts a landreg server with the demo
// fixtures and passes:
//   LANDREG_URL            server root, e.g. http://127.0.0.1:40123
//   LANDREG_CHROMIUM       /usr/bin/chromium
//   LANDREG_DISTRICT       district to select, e.g. 330304
//   LANDREG_PARCEL_ID      a parcel to click, LANDREG_PARCEL_ZDDM its 宗地代码,
//   LANDREG_PARCEL_LONLAT  "lon,lat" of a point well inside it
//   LANDREG_VIEW_BBOX      "minLon,minLat,maxLon,maxLat" to frame the screenshot on
//   LANDREG_PARCEL_HOLDER  its 权利人 (for search)
//   LANDREG_SCREENSHOT     where to save the PNG; LANDREG_OUT the folder for the others
//   LANDREG_AUTH_URL       a server over the same data with --auth-reads, LANDREG_TOKEN a token for it
//   LANDREG_PROJECT_ID     a remediation project of the district, LANDREG_PROJECT_LONLAT a point well inside it
// Exits non-zero with a message on the first failed check. Assertions on routes that a
// server may not have yet (/v1/audit/idle, /v1/parcels/{id}/status|history) are made
// only when the route answers 200.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const env = process.env;
const need = (k) => {
  if (!env[k]) throw new Error(`${k} is not set (run through go test ./web/)`);
  return env[k];
};
const BASE = need("LANDREG_URL").replace(/\/$/, "");
const DISTRICT = need("LANDREG_DISTRICT");
const PARCEL_ID = Number(need("LANDREG_PARCEL_ID"));
const ZDDM = need("LANDREG_PARCEL_ZDDM");
const [LON, LAT] = need("LANDREG_PARCEL_LONLAT").split(",").map(Number);
const VIEW = (env.LANDREG_VIEW_BBOX || `${LON - 0.02},${LAT - 0.02},${LON + 0.02},${LAT + 0.02}`).split(",").map(Number);
const SHOT = need("LANDREG_SCREENSHOT");
const OUT = env.LANDREG_OUT || dirname(SHOT);
const HOLDER = env.LANDREG_PARCEL_HOLDER || "";
const AUTH_URL = (env.LANDREG_AUTH_URL || "").replace(/\/$/, "");
const TOKEN = env.LANDREG_TOKEN || "";
const PROJECT_ID = Number(env.LANDREG_PROJECT_ID || 0);
const [PLON, PLAT] = (env.LANDREG_PROJECT_LONLAT || "0,0").split(",").map(Number);
const T = 60_000; // per wait: software WebGL on a busy CI machine is slow

const log = (...a) => console.log("[map.e2e]", ...a);
function check(cond, msg) {
  if (!cond) throw new Error("check failed: " + msg);
  log("ok:", msg);
}
async function api(path) {
  const res = await fetch(BASE + path, { headers: { Accept: "application/json" } });
  return { status: res.status, body: res.ok ? await res.json() : null };
}
const shot = (name) => join(OUT, name);
// Rendered parcels (counted per grid cell below zoom 12, shapes from 12) by status.
async function renderedByStatus(page) {
  return page.evaluate(() => {
    const m = window.landregMap;
    const by = {};
    for (const f of m.queryRenderedFeatures({ layers: ["parcels-fill"] })) {
      const s = f.properties.status ?? "UNKNOWN";
      by[s] = by[s] || new Set();
      by[s].add(f.id);
    }
    const out = Object.fromEntries(Object.entries(by).map(([k, v]) => [k, v.size]));
    for (const f of m.queryRenderedFeatures({ layers: ["parcel-cells"] })) {
      const s = f.properties.status ?? "UNKNOWN";
      out[s] = (out[s] || 0) + f.properties.n;
    }
    return out;
  });
}
async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: T });
  await mapIdle(page);
}
const parseNum = (s) => Number(String(s).replace(/[,\s亩]/g, ""));

// Resolves once every tile in view is loaded (MapLibre's 'idle', or polled).
async function mapIdle(page) {
  await page.waitForFunction(() => {
    const m = window.landregMap;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
  }, null, { timeout: T, polling: 200 });
}

const profile = mkdtempSync(join(tmpdir(), "landreg-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: env.LANDREG_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      // WebGL without a GPU: ANGLE on SwiftShader (software), allowed explicitly.
      "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
      "--lang=zh-CN",
    ],
    // The bureau's laptop: legend and key figures must be above the fold here.
    viewport: { width: 1366, height: 768 },
    deviceScaleFactor: 1,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    timeout: T,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(T);
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") log(`console.${m.type()}:`, m.text()); });
  page.on("pageerror", (e) => log("pageerror:", e.message));
  page.on("response", (r) => { if (r.status() >= 400) log(`HTTP ${r.status()} ${r.url().replace(BASE, "")}`); });
  const keyfigRequests = [];
  page.on("request", (r) => { if (r.url().includes("/v1/key-figures")) keyfigRequests.push(r.url().replace(BASE, "")); });

  // 1. Load the page; wait for the layers and the panels.
  await page.goto(BASE + "/map/", { waitUntil: "domcontentloaded" });
  await ready(page);
  const err = await page.getAttribute("body", "data-error");
  check(!err, `page started without error (data-error=${err})`);
  const webgl = await page.evaluate(() => !!window.landregMap && !!window.landregMap.getCanvas().getContext("webgl2"));
  check(webgl, "MapLibre map exists with a WebGL2 canvas");
  let date = await page.inputValue("#date");
  check(/^\d{4}-\d{2}-\d{2}$/.test(date), `date picker holds a date (${date})`);
  const tileURL = await page.evaluate(() => window.landregMap.getSource("land").tiles[0]);
  check(tileURL.includes("/tiles/districts,block_lines,parcels,parcel_cells,block_lines_labels/{z}/{x}/{y}.mvt?datetime=" + date),
    `one vector source for all layers, as of the date (${tileURL.replace(BASE, "")})`);
  const nDistricts = await page.evaluate(() => window.landregMap.querySourceFeatures("land", { sourceLayer: "districts" }).length);
  check(nDistricts > 0, `district tiles loaded (${nDistricts} features)`);
  const nLines = await page.evaluate(() => window.landregMap.querySourceFeatures("land", { sourceLayer: "block_lines" }).length);
  check(nLines > 0, `block-line tiles loaded (${nLines} features)`);

  // 1a. The default city view (zoom about 10) shows idle land: parcels as points
  // coloured by status, the idle and inefficient ones among them.
  {
    const z = await page.evaluate(() => window.landregMap.getZoom());
    check(z >= 8 && z < 12, `default city view at zoom ${z.toFixed(2)} (below the parcel zoom)`);
    const by = await renderedByStatus(page);
    const quiet = new Set(["NORMAL", "RETIRED", "UNKNOWN"]);
    const idleDrawn = Object.entries(by).filter(([k]) => !quiet.has(k)).reduce((s, [, n]) => s + n, 0);
    const vocab = (await api("/v1/vocabulary")).body;
    const idleLand = new Set(vocab.idle_categories.filter((c) => c.idle_land).map((c) => c.code));
    const statIdle = Object.entries(by).filter(([k]) => idleLand.has(k)).reduce((s, [, n]) => s + n, 0);
    check(idleDrawn > 0 && statIdle > 0, `idle parcels drawn at the city view: ${JSON.stringify(by)} (${statIdle} statutory idle)`);
    // Above the fold at 1366×768: the key figures and the whole legend with its totals.
    const fold = await page.evaluate(() => ({
      key: document.querySelector("#keyfig").getBoundingClientRect().bottom,
      legend: document.querySelector("#idle tr.total").getBoundingClientRect().bottom,
      rows: document.querySelectorAll("#idle tr[data-category]").length,
    }));
    check(fold.key < 768 && fold.legend < 768, `key figures (bottom ${fold.key.toFixed(0)} px) and legend (bottom ${fold.legend.toFixed(0)} px) above the fold at 1366×768`);
    const nCats = vocab.idle_categories.length;
    check(fold.rows >= nCats, `legend lists the ${nCats} categories of the vocabulary (${fold.rows} rows)`);
    // The key figures' 亩均 is of the latest year whose figures count by today, not an
    // empty current year.
    const kf = (await api(`/v1/key-figures?date=${date}`)).body;
    const mj = await page.evaluate(() => ({ ...document.querySelector('#keyfig [data-key="mujun"]').dataset }));
    check(kf.mujun_year < Number(date.slice(0, 4)) && kf.tax_per_mu_wan > 0 && Number(mj.year) === kf.mujun_year && Math.abs(Number(mj.tax) - kf.tax_per_mu_wan) < 1e-9,
      `city key figures: 亩均税收 ${mj.tax} 万元/亩 of ${mj.year} = /v1/key-figures`);
    const firstZh = (await page.textContent("#idle tr[data-category] td")).trim();
    check(firstZh === vocab.idle_categories[0].zh, `legend labels and order come from /v1/vocabulary (${firstZh})`);
    await page.screenshot({ path: shot("map-city.png") });
    log("screenshot saved:", shot("map-city.png"));
  }

  // 2. District panel against the API.
  await page.selectOption("#district", DISTRICT);
  await page.waitForSelector(`body[data-ready="true"] #quota[data-district="${DISTRICT}"]`, { timeout: T });
  const q = await api(`/v1/districts/${DISTRICT}/quota?date=${date}`);
  check(q.status === 200, `GET /v1/districts/${DISTRICT}/quota answers 200`);
  for (const field of ["total", "level1", "level2", "baseline", "margin", "reserve"]) {
    const want = q.body[field] && q.body[field].mu;
    if (want === undefined) continue;
    const text = await page.textContent(`#quota tr[data-field="${field}"] td.num`);
    const got = parseNum(text);
    check(Math.abs(got - want) <= 0.006, `panel ${field} ${text.trim()} 亩 = API ${want} 亩`);
  }
  check(q.body.total && q.body.baseline && q.body.margin, "API gives total, baseline and margin for the district");

  // The date picker reloads tiles and panels as of that day (the fixtures' reference date).
  date = "2025-06-30";
  await page.fill("#date", date);
  await page.waitForFunction((d) => document.body.dataset.ready === "true" &&
    document.querySelector("#quota th.num")?.textContent === d &&
    window.landregMap.getSource("land").tiles[0].endsWith("datetime=" + d), date, { timeout: T });
  const q2 = await api(`/v1/districts/${DISTRICT}/quota?date=${date}`);
  for (const field of ["total", "baseline", "margin"]) {
    const text = await page.textContent(`#quota tr[data-field="${field}"] td.num`);
    check(Math.abs(parseNum(text) - q2.body[field].mu) <= 0.006, `as of ${date}: panel ${field} ${text.trim()} 亩 = API ${q2.body[field].mu} 亩`);
  }

  // The key figures of the district and date come in one request, /v1/key-figures.
  {
    const k = (await api(`/v1/key-figures?date=${date}&district=${DISTRICT}`)).body;
    const got = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll("#keyfig [data-key]")].map((e) => [e.dataset.key, { ...e.dataset }])));
    check(Number(got.idle.parcels) === k.idle_parcels && Math.abs(Number(got.idle.mu) - k.idle_mu) < 1e-9 &&
      Number(got.problem.parcels) === k.problem_parcels && Number(got.low.parcels) === k.low_efficiency_parcels &&
      Math.abs(Number(got.margin.mu) - k.margin_mu) < 1e-9 && Math.abs(Number(got.mujun.tax) - k.tax_per_mu_wan) < 1e-9 &&
      Number(got.mujun.year) === k.mujun_year,
      `key figures = /v1/key-figures: idle ${k.idle_parcels} (${k.idle_mu} 亩), problem ${k.problem_parcels}, 低效 ${k.low_efficiency_parcels}, margin ${k.margin_mu}, 亩均税收 ${k.tax_per_mu_wan} (${k.mujun_year})`);
    const asked = keyfigRequests.filter((u) => u.includes(`date=${date}`) && u.includes(`district=${DISTRICT}`));
    check(asked.length === 1, `one request for the key figures of ${DISTRICT} as of ${date} (${asked.join(", ")})`);
  }

  const idle = await api(`/v1/audit/idle?date=${date}&district=${DISTRICT}`);
  check(idle.status === 200, `GET /v1/audit/idle answers 200`);
  {
    const wantCount = (idle.body.rows || []).reduce((s, r) => s + Number(r.parcels ?? r.count ?? 0), 0);
    check(wantCount > 0, `the API counts ${wantCount} parcels in ${DISTRICT}`);
    const gotCount = await page.evaluate(() => [...document.querySelectorAll("#idle tr[data-category] td:nth-child(2)")]
      .reduce((s, td) => s + Number(td.textContent), 0));
    check(gotCount === wantCount, `idle panel counts ${gotCount} parcels = API ${wantCount}`);
  }

  // 2a. Category filter: clicking a legend row hides the category on the map and in
  // the counts; the address records it.
  await mapIdle(page);
  {
    const before = await renderedByStatus(page);
    const counts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll("#idle tr[data-category]")]
      .map((tr) => [tr.dataset.category, Number(tr.querySelector("td:nth-child(2)").textContent) || 0])));
    const total0 = Number(await page.getAttribute("#idle tr.total", "data-total"));
    const cat = Object.keys(before).filter((k) => k !== "UNKNOWN" && counts[k] > 0).sort((a, b) => before[b] - before[a])[0];
    check(cat && Object.keys(before).length > 1, `the district view draws several categories (${JSON.stringify(before)}); hiding ${cat}`);
    await page.click(`#idle tr[data-category="${cat}"]`);
    await page.waitForFunction((c) => document.querySelector(`#idle tr[data-category="${c}"]`)?.classList.contains("off"), cat);
    await mapIdle(page);
    const after = await renderedByStatus(page);
    check(!after[cat] && Object.keys(after).length > 0, `map no longer draws ${cat} (${JSON.stringify(after)})`);
    const total1 = Number(await page.getAttribute("#idle tr.total", "data-total"));
    check(total1 === total0 - counts[cat], `panel total ${total1} = ${total0} − ${counts[cat]} (${cat})`);
    check(new URL(page.url()).searchParams.get("cat")?.split(",").includes(cat) === false &&
      new URL(page.url()).searchParams.has("cat"), `the address lists the categories shown (${new URL(page.url()).searchParams.get("cat")})`);
    const exp = await page.getAttribute('[data-export="xlsx"]', "data-href");
    check(exp.includes(`district=${DISTRICT}`) && exp.includes(`date=${date}`), `export link carries date and district (${exp})`);
    await page.click("#cats-all");
    await page.waitForFunction(() => !new URL(location.href).searchParams.has("cat"));
    await mapIdle(page);
    const back = await renderedByStatus(page);
    check(back[cat] === before[cat], `showing all again draws ${back[cat]} ${cat} parcels as before`);
    // 低效 only: the map keeps only low-efficiency parcels.
    await page.check("#low");
    await mapIdle(page);
    const lowOnly = await page.evaluate(() => window.landregMap.queryRenderedFeatures({ layers: ["parcel-cells", "parcels-fill"] })
      .every((f) => f.properties.low_efficiency === true));
    check(lowOnly && new URL(page.url()).searchParams.get("low") === "1", "仅低效 keeps only low-efficiency parcels, and the address says low=1");
    await page.uncheck("#low");
    await mapIdle(page);
  }

  // 2b. Block lines are labelled from zoom 10 (block_lines_labels).
  {
    await page.evaluate(() => { if (window.landregMap.getZoom() < 10.5) window.landregMap.setZoom(10.5); });
    await mapIdle(page);
    await page.waitForFunction(() => document.querySelectorAll(".line-label").length > 0, null, { timeout: T });
    const names = await page.$$eval(".line-label", (els) => els.map((e) => e.textContent));
    check(names.length > 0 && names.every((n) => n.trim() !== ""), `block lines labelled (${names.slice(0, 3).join(", ")}…)`);
  }

  // 2c. Districts shaded by the quota margin (feature-state, fetched once).
  {
    await page.selectOption("#measure", "margin");
    await page.waitForSelector('body[data-ready="true"]');
    const fs = await page.evaluate((d) => {
      const m = window.landregMap;
      const f = m.querySourceFeatures("land", { sourceLayer: "districts" }).find((x) => x.properties.xzqdm === d);
      return f ? m.getFeatureState({ source: "land", sourceLayer: "districts", id: f.id }) : {};
    }, DISTRICT);
    check(Math.abs(fs.v - q2.body.margin.mu) < 0.006 && fs.t >= 0 && fs.t <= 1, `district ${DISTRICT} shaded by its margin ${fs.v} = API ${q2.body.margin.mu}`);
    const label = await page.textContent(`.district-label[data-code="${DISTRICT}"] .measure`);
    check(label.includes("亩"), `district label shows the margin (${label})`);
  }

  // 2c'. Districts shaded by 亩均税收 / 亩均增加值 (the year before the date, from
  // /v1/audit/mujun-districts): the feature-state value is the API's, the rendered fill is
  // the colour of the district's class in the legend, and it differs from the margin's.
  {
    const fillOf = (d) => page.evaluate((code) => {
      const m = window.landregMap;
      const f = m.queryRenderedFeatures({ layers: ["districts-fill"] }).find((x) => x.properties.xzqdm === code);
      if (!f) return null;
      const c = f.layer.paint["fill-color"];
      const hex = (x) => Math.round(x * 255).toString(16).padStart(2, "0");
      return { colour: `#${hex(c.r / (c.a || 1))}${hex(c.g / (c.a || 1))}${hex(c.b / (c.a || 1))}`,
        state: m.getFeatureState({ source: "land", sourceLayer: "districts", id: f.id }) };
    }, d);
    const before = await fillOf(DISTRICT);
    check(before && before.colour, `district ${DISTRICT} rendered with the margin shading (${before && before.colour})`);
    // The year is the key figures' (the latest whose figures count by the date).
    const year = (await api(`/v1/key-figures?date=${date}&district=${DISTRICT}`)).body.mujun_year;
    const rows = (await api(`/v1/audit/mujun-districts?year=${year}`)).body.rows;
    const want = rows.find((r) => r.xzqdm === DISTRICT);
    check(want && want.tax_per_mu_wan > 0 && want.va_per_mu_wan > 0, `API gives ${DISTRICT} 亩均税收 ${want && want.tax_per_mu_wan}, 亩均增加值 ${want && want.va_per_mu_wan} for ${year}`);
    for (const [measure, field] of [["tax_per_mu", "tax_per_mu_wan"], ["va_per_mu", "va_per_mu_wan"]]) {
      await page.selectOption("#measure", measure);
      await page.waitForSelector(`body[data-ready="true"] #shade-legend .classes[data-measure="${measure}"][data-year="${year}"]`);
      await mapIdle(page);
      const got = await fillOf(DISTRICT);
      check(Math.abs(got.state.v - want[field]) < 1e-6, `${measure}: district ${DISTRICT} feature-state ${got.state.v} = API ${want[field]}`);
      const legend = await page.$$eval("#shade-legend .classes li[data-class]", (els) => els.map((e) => ({ c: e.dataset.class, colour: e.dataset.colour, text: e.textContent })));
      const classes = legend.filter((x) => x.c !== "none");
      const withFig = rows.filter((r) => typeof r[field] === "number").length;
      const counted = classes.reduce((s, x) => s + Number((x.text.match(/\((\d+)\)/) || [])[1] || 0), 0);
      check(classes.length === 5 && counted === withFig, `${measure}: legend lists 5 classes holding the ${withFig} districts with figures (${classes.map((x) => x.text.trim()).join(" | ")})`);
      const mine = classes.find((x) => Number(x.c) === got.state.c);
      check(mine && got.colour === mine.colour && got.colour !== before.colour,
        `${measure}: district ${DISTRICT} is drawn ${got.colour}, the colour of its class ${got.state.c} in the legend (was ${before.colour})`);
      const paint = await page.evaluate(() => JSON.stringify(window.landregMap.getPaintProperty("districts-fill", "fill-color")));
      check(paint.includes('"step"'), `${measure}: the district fill is a step over the classes`);
      const label = await page.textContent(`.district-label[data-code="${DISTRICT}"] .measure`);
      check(label.includes("万元/亩"), `${measure}: district label shows the figure (${label})`);
      check(new URL(page.url()).searchParams.get("measure") === measure, `the address holds measure=${measure}`);
    }
    // Lowest and highest district in the lowest and highest class.
    const figs = rows.filter((r) => typeof r.va_per_mu_wan === "number").sort((a, b) => a.va_per_mu_wan - b.va_per_mu_wan);
    const ends = await page.evaluate((codes) => codes.map((c) => window.landregMap.getFeatureState({ source: "land", sourceLayer: "districts", id: Number(c) }).c),
      [figs[0].xzqdm, figs[figs.length - 1].xzqdm]);
    check(ends[0] === 0 && ends[1] === 4, `the lowest district ${figs[0].xzqdm} is in class 0 and the highest ${figs[figs.length - 1].xzqdm} in class 4 (${ends})`);
    await page.screenshot({ path: shot("map-mujun-shading.png") });
  }

  // 2d. Before the rule window the quota is not judged: no red 低于基数.
  {
    let early = null;
    for (const d of ["2000-06-30", "2010-06-30", "2015-06-30", "2019-06-30"]) {
      const r = await api(`/v1/districts/${DISTRICT}/quota?date=${d}`);
      if (r.status === 200 && r.body.rule_applies === false) { early = d; break; }
    }
    if (early) {
      await page.fill("#date", early);
      await page.waitForFunction((d) => document.body.dataset.ready === "true" && document.querySelector("#quota th.num")?.textContent === d, early);
      const red = await page.$$eval("#quota .bad, #keyfig [data-key=margin] .bad", (els) => els.length);
      const text = await page.textContent('#quota tr[data-field="pass"]');
      check(red === 0 && text.includes("规则未适用"), `as of ${early} (rule not in force): no red, check says ${text.trim()}`);
      await page.fill("#date", date);
      await page.waitForFunction((d) => document.body.dataset.ready === "true" && document.querySelector("#quota th.num")?.textContent === d, date);
    } else log("note: no date before the rule window found for", DISTRICT);
    await page.selectOption("#measure", "");
    await page.waitForSelector('body[data-ready="true"]');
  }

  // 3. Click the parcel: zoom onto it, find its screen position, click there.
  await page.evaluate(([lon, lat]) => window.landregMap.jumpTo({ center: [lon, lat], zoom: 17 }), [LON, LAT]);
  await mapIdle(page);
  const hit = await page.evaluate(([lon, lat]) => {
    const m = window.landregMap;
    const p = m.project([lon, lat]);
    const f = m.queryRenderedFeatures([p.x, p.y], { layers: ["parcels-fill"] })[0];
    const r = m.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y, id: f ? f.id : null, status: f ? f.properties.status ?? null : null };
  }, [LON, LAT]);
  check(hit.id === PARCEL_ID, `parcel ${PARCEL_ID} is rendered under (${hit.x.toFixed(0)}, ${hit.y.toFixed(0)}) (got ${hit.id})`);
  check(hit.status !== null, `parcel tile carries its idle status (${hit.status})`);
  await page.mouse.click(hit.x, hit.y);
  await page.waitForSelector(`body[data-parcel="${PARCEL_ID}"]`, { timeout: T });
  const shown = (await page.textContent('#card tr[data-field="zddm"] td:nth-child(2)')).trim();
  check(shown === ZDDM, `parcel card shows 宗地代码 ${shown} = ${ZDDM}`);
  const item = await api(`/collections/parcels/items/${PARCEL_ID}`);
  const area = parseNum(await page.textContent('#card tr[data-field="area_mu"] td:nth-child(2)'));
  check(Math.abs(area - item.body.properties.area_mu) <= 0.006, `parcel card area ${area} 亩 = API ${item.body.properties.area_mu}`);

  const st = await api(`/v1/parcels/${PARCEL_ID}/status?date=${date}`);
  check(st.status === 200, `GET /v1/parcels/{id}/status answers 200`);
  const badge = (await page.textContent("#card .badge")).trim();
  check(badge === st.body.category_zh, `card status ${badge} = API ${st.body.category_zh}`);
  const hist = await api(`/v1/parcels/${PARCEL_ID}/history`);
  check(hist.status === 200, `GET /v1/parcels/{id}/history answers 200`);
  const histRows = await page.locator("#card table.events:not(.audit) tr").count();
  check(histRows === (hist.body.events || []).length, `card history lists ${histRows} events = API ${(hist.body.events || []).length}`);

  // 3a. The card's 亩均 figures are those of the status answer.
  {
    const s = st.body.status || {};
    const tax = (await page.textContent('#card tr[data-field="tax_per_mu_wan"] td:nth-child(2)')).trim();
    check(s.tax_per_mu_wan == null ? tax === "—" : Math.abs(parseNum(tax.replace("万元/亩", "")) - s.tax_per_mu_wan) <= 0.006,
      `card 亩均税收 ${tax} = API ${s.tax_per_mu_wan}`);
    const yr = (await page.textContent('#card tr[data-field="indicator_year"] td:nth-child(2)')).trim();
    check(yr === String(s.indicator_year ?? "—"), `card indicator year ${yr} = API ${s.indicator_year}`);
    // A parcel of the district with indicators: its card shows the figures.
    let withFig = null;
    for (const f of (await api(`/collections/parcels/items?limit=200&filter=${encodeURIComponent(`xzqdm='${DISTRICT}'`)}`)).body?.features || []) {
      const r = await api(`/v1/parcels/${f.id}/status?date=${date}`);
      if (r.status === 200 && r.body.status && r.body.status.tax_per_mu_wan != null) { withFig = { id: f.id, s: r.body.status }; break; }
    }
    check(withFig !== null, "the district has a parcel with 亩均 figures");
    await page.evaluate((id) => window.landreg.selectParcel(id), withFig.id);
    await page.waitForSelector(`body[data-parcel="${withFig.id}"]`);
    const tax2 = parseNum((await page.textContent('#card tr[data-field="tax_per_mu_wan"] td:nth-child(2)')).replace("万元/亩", ""));
    const yr2 = (await page.textContent('#card tr[data-field="indicator_year"] td:nth-child(2)')).trim();
    check(Math.abs(tax2 - withFig.s.tax_per_mu_wan) <= 0.006 && yr2 === String(withFig.s.indicator_year),
      `parcel ${withFig.id}: card 亩均税收 ${tax2} 万元/亩 (${yr2}) = API ${withFig.s.tax_per_mu_wan} (${withFig.s.indicator_year})`);
    await page.evaluate((id) => window.landreg.selectParcel(id), PARCEL_ID);
    await page.waitForSelector(`body[data-parcel="${PARCEL_ID}"]`);
  }

  // 4. Screenshot: the district's parcels (zoom ≥ 12) beside the card, with the panel.
  await page.evaluate((b) => {
    const m = window.landregMap;
    m.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: { left: 370, top: 40, right: 50, bottom: 40 }, animate: false });
    if (m.getZoom() < 12.2) m.setZoom(12.2);
  }, VIEW);
  await mapIdle(page);
  const nParcels = await page.evaluate(() => window.landregMap.queryRenderedFeatures({ layers: ["parcels-fill"] }).length);
  check(nParcels > 20, `parcels drawn in the screenshot view (${nParcels})`);
  await page.mouse.move(5, 990); // no hover popup in the picture
  mkdirSync(dirname(SHOT), { recursive: true });
  await page.screenshot({ path: SHOT });
  log("screenshot saved:", SHOT);

  // 6. Search by holder and by code: the result flies to the parcel and opens its card.
  for (const [what, q] of [["holder", HOLDER], ["code", ZDDM.slice(0, 14)]]) {
    if (!q) { log("note: no holder name to search"); continue; }
    await page.click("#card-close");
    await page.evaluate(() => window.landregMap.jumpTo({ center: [120.0, 28.0], zoom: 9 }));
    await page.fill("#search", q);
    await page.waitForSelector(`#search-results li[data-id="${PARCEL_ID}"]`, { timeout: T });
    await page.click(`#search-results li[data-id="${PARCEL_ID}"]`);
    await page.waitForSelector(`body[data-parcel="${PARCEL_ID}"]`, { timeout: T });
    await page.waitForFunction(() => !window.landregMap.isMoving());
    await mapIdle(page);
    const v = await page.evaluate(() => ({ z: window.landregMap.getZoom(), c: window.landregMap.getCenter() }));
    check(v.z >= 12 && Math.abs(v.c.lng - LON) < 0.02 && Math.abs(v.c.lat - LAT) < 0.02,
      `search by ${what} “${q}” flew to the parcel (z${v.z.toFixed(1)} at ${v.c.lng.toFixed(4)},${v.c.lat.toFixed(4)}) and opened its card`);
    const shownCode = (await page.textContent('#card tr[data-field="zddm"] td:nth-child(2)')).trim();
    check(shownCode === ZDDM, `card after search shows ${shownCode}`);
  }
  await page.screenshot({ path: shot("map-search.png") });

  // 7. A shared link reproduces the screen: view, date, district, parcel and filters.
  {
    await page.click(`#idle tr[data-category]:not(.off)`);
    await mapIdle(page);
    await page.waitForFunction(() => /#\d/.test(location.hash) && new URL(location.href).searchParams.has("cat"));
    const url = page.url();
    const want = await page.evaluate(() => ({ z: window.landregMap.getZoom(), c: window.landregMap.getCenter().toArray(),
      cats: [...window.landreg.state.cats].sort(), date: window.landreg.state.date, district: window.landreg.state.district }));
    const p2 = await context.newPage();
    await p2.setViewportSize({ width: 1366, height: 768 });
    await p2.goto(url, { waitUntil: "domcontentloaded" });
    await ready(p2);
    await p2.waitForSelector(`body[data-parcel="${PARCEL_ID}"]`, { timeout: T });
    const got = await p2.evaluate(() => ({ z: window.landregMap.getZoom(), c: window.landregMap.getCenter().toArray(),
      cats: [...(window.landreg.state.cats || [])].sort(), date: window.landreg.state.date, district: window.landreg.state.district,
      dateField: document.querySelector("#date").value }));
    check(Math.abs(got.z - want.z) < 0.05 && Math.abs(got.c[0] - want.c[0]) < 1e-3 && Math.abs(got.c[1] - want.c[1]) < 1e-3,
      `shared URL restores the view z${got.z.toFixed(2)} at ${got.c.map((x) => x.toFixed(4))} (${url.replace(BASE, "")})`);
    check(got.date === want.date && got.dateField === want.date && got.district === want.district && got.cats.join() === want.cats.join(),
      `shared URL restores date ${got.date}, district ${got.district}, categories ${got.cats.length} and the parcel card`);
    await p2.screenshot({ path: shot("map-shared.png") });
    await p2.close();
    await page.click("#cats-all");
  }

  // 8. Bad state in the address: a clear message, never a blank map.
  {
    const p3 = await context.newPage();
    await p3.goto(BASE + "/map/?date=2025-13-45&parcel=987654321&cat=NOPE&district=999999", { waitUntil: "domcontentloaded" });
    await ready(p3);
    const msg = await p3.textContent("#notice-text");
    check(await p3.isVisible("#notice") && msg.includes("日期") && msg.includes("行政区") && msg.includes("NOPE"), `bad address state explained: ${msg}`);
    check((await p3.inputValue("#date")) !== "", "the date field is not empty after a bad ?date=");
    await p3.waitForSelector('body[data-parcel="987654321"]', { timeout: T });
    check(await p3.isVisible('#card [data-error="not-found"]'), "an unknown ?parcel= says the parcel does not exist");
    const drawn = await p3.evaluate(() => window.landregMap.queryRenderedFeatures({ layers: ["districts-fill"] }).length);
    check(drawn > 0, `the map is drawn anyway (${drawn} district features)`);
    await p3.screenshot({ path: shot("map-bad-url.png") });
    await p3.close();
  }

  // 9. Export what is shown, through the existing exports.
  {
    const x = await page.getAttribute('[data-export="xlsx"]', "data-href");
    const r = await fetch(new URL(x, BASE + "/").href);
    const body = Buffer.from(await r.arrayBuffer());
    check(r.status === 200 && /spreadsheetml/.test(r.headers.get("content-type")) && body.subarray(0, 2).toString() === "PK",
      `XLSX export ${x} answers 200 with a workbook (${body.length} bytes)`);
    const g = await page.getAttribute('[data-export="gpkg"]', "data-href");
    check(g.startsWith("v1/exports/parcels?format=gpkg&date=") && g.includes(`district=${DISTRICT}`), `GeoPackage export link ${g}`);
    const dl = page.waitForEvent("download", { timeout: T });
    await page.click('[data-export="summary"]');
    const d = await dl;
    check(/\.xlsx$/.test(d.suggestedFilename()), `the summary button downloads ${d.suggestedFilename()}`);
  }

  // 10. Print: the print layout carries the map canvas itself, drawn.
  {
    await page.selectOption("#paper", "A4");
    await page.selectOption("#measure", "tax_per_mu");
    await page.waitForSelector('body[data-ready="true"] #shade-legend .classes[data-measure="tax_per_mu"]');
    await page.evaluate(() => window.landregMap.jumpTo({ zoom: 11 }));
    await mapIdle(page);
    await page.emulateMedia({ media: "print" });
    await page.waitForSelector('body[data-print="ready"]', { timeout: T });
    const px = await page.evaluate(async () => {
      const img = document.querySelector("#print-map");
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      let painted = 0;
      for (let i = 0; i < d.length; i += 4 * 7) {
        if (d[i + 3] > 0) painted++;
        colours.add((d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | d[i + 2] >> 3);
      }
      const r = document.querySelector("#map").getBoundingClientRect();
      return { w: c.width, h: c.height, painted, colours: colours.size, mapW: r.width, mapH: r.height,
        head: getComputedStyle(document.querySelector("#print-head")).display, panel: getComputedStyle(document.querySelector("#panel")).display,
        legend: document.querySelectorAll("#print-legend li").length, scale: !!document.querySelector(".maplibregl-ctrl-scale"),
        north: getComputedStyle(document.querySelector("#north")).display,
        shade: document.querySelectorAll("#print-legend li[data-class]").length };
    });
    check(px.w > 300 && px.h > 200 && px.painted > 1000 && px.colours > 8,
      `printed map is drawn: ${px.w}×${px.h} px, ${px.colours} colours (map frame ${px.mapW.toFixed(0)}×${px.mapH.toFixed(0)})`);
    check(px.head !== "none" && px.panel === "none" && px.legend > 0 && px.scale && px.north !== "none",
      "print layout: title block shown, panel hidden, legend, scale bar and north arrow present");
    check(px.shade === 5, `the print legend carries the 亩均 shading's 5 classes (${px.shade})`);
    await page.screenshot({ path: shot("map-print.png"), fullPage: true });
    await page.pdf({ path: shot("map-print.pdf"), format: "A4", landscape: true, printBackground: true });
    log("print screenshot and PDF saved:", shot("map-print.png"), shot("map-print.pdf"));
    await page.emulateMedia({ media: "screen" });
    await page.selectOption("#measure", "");
    await page.waitForSelector('body[data-ready="true"]');
  }

  // 10a. Dashboard: Chart.js is loaded only when it is opened; the charts match the API.
  {
    check(await page.evaluate(() => typeof window.Chart === "undefined"), "Chart.js is not loaded before the dashboard opens");
    await page.click("#dash-open");
    await page.waitForSelector('#dashboard[data-ready="true"]', { timeout: T });
    const dash = await page.evaluate(() => {
      const c = window.landreg.charts;
      const idle = c["chart-idle"].data;
      const last = idle.datasets.reduce((s, ds) => s + (ds.data[ds.data.length - 1] || 0), 0);
      const blank = (id) => {
        const cv = document.getElementById(id);
        const g = document.createElement("canvas");
        g.width = cv.width; g.height = cv.height;
        const x = g.getContext("2d");
        x.drawImage(cv, 0, 0);
        const d = x.getImageData(0, 0, g.width, g.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      };
      return { chart: typeof window.Chart, labels: idle.labels, last, nQuota: c["chart-quota"].data.datasets.length,
        mujun: c["chart-mujun"].data.datasets[0].data.reduce((a, b) => a + b, 0) + c["chart-mujun"].data.datasets[1].data.reduce((a, b) => a + b, 0),
        targets: c["chart-targets"].data.labels, shares: c["chart-targets"].data.datasets[0].data,
        px: ["chart-idle", "chart-quota", "chart-mujun", "chart-targets", "chart-rank"].map(blank) };
    });
    const vocab = (await api("/v1/vocabulary")).body;
    const quiet = new Set(["NORMAL", "RETIRED"]);
    const ref = (await api(`/v1/audit/idle?date=${date}&district=${DISTRICT}`)).body.rows
      .filter((r) => !quiet.has(r.category) && vocab.idle_categories.some((c) => c.code === r.category)).reduce((s, r) => s + r.registered_mu, 0);
    check(dash.chart === "function" && Math.abs(dash.last - ref) < 0.01, `dashboard idle chart for ${date}: ${dash.last.toFixed(2)} 亩 = API ${ref.toFixed(2)} 亩 (${dash.labels.join(", ")})`);
    check(dash.nQuota >= 2 && dash.px.every((n) => n > 500), `quota chart has ${dash.nQuota} series, mujun chart ${dash.mujun} enterprises; all five charts drawn (${dash.px.join(", ")} px)`);
    const tp = (await api(`/v1/targets/progress?date=${date}&district=${DISTRICT}`)).body.targets;
    check(tp.length === 2 && dash.targets.length === tp.length && tp.every((x, i) => dash.targets[i].endsWith(x.kind_zh) &&
      Math.abs(dash.shares[i] - Math.round((x.achieved_share || 0) * 1000) / 10) < 0.01),
      `targets chart: ${dash.targets.join(", ")} at ${dash.shares.join(", ")} % = API ${tp.map((x) => x.achieved_share).join(", ")}`);
    // The 亩均税收 ranking: the top and bottom 5 of the district from the API, highest first.
    {
      const yr = (await api(`/v1/key-figures?date=${date}&district=${DISTRICT}`)).body.mujun_year;
      const judged = (await api(`/v1/audit/mujun?year=${yr}&district=${DISTRICT}&order=tax_per_mu_desc`)).body.rows;
      const rk = await page.evaluate(() => {
        const c = window.landreg.charts["chart-rank"];
        const cv = document.getElementById("chart-rank");
        return { labels: c.data.labels, data: c.data.datasets[0].data, bars: c.getDatasetMeta(0).data.length, w: cv.width };
      });
      const want = Math.min(10, judged.length);
      check(judged.length > 0 && rk.labels.length === want && rk.bars === want,
        `ranking chart has ${rk.bars} bars = the top and bottom 5 of ${judged.length} judged enterprises of ${DISTRICT} (${yr})`);
      check(rk.labels[0] === `1. ${judged[0].name}` && Math.abs(rk.data[0] - judged[0].tax_per_mu_wan) < 1e-9,
        `the first bar is the API's top enterprise: ${rk.labels[0]} ${rk.data[0]} 万元/亩`);
      const last = judged[judged.length - 1];
      check(rk.labels[rk.labels.length - 1] === `${last.tax_per_mu_rank}. ${last.name}` && rk.data.every((v, i) => i === 0 || v <= rk.data[i - 1]),
        `the last bar is the lowest (${rk.labels[rk.labels.length - 1]}), bars in falling order`);
    }
    await page.screenshot({ path: shot("map-dashboard.png") });
    await page.click("#dash-close");
  }

  // 11. A narrow screen: map above, panel below, nothing overlapping.
  {
    const p4 = await context.newPage();
    await p4.setViewportSize({ width: 390, height: 844 });
    await p4.goto(BASE + "/map/?date=" + date, { waitUntil: "domcontentloaded" });
    await ready(p4);
    const lay = await p4.evaluate(() => ({ map: document.querySelector("#map").getBoundingClientRect().toJSON(),
      panel: document.querySelector("#panel").getBoundingClientRect().toJSON() }));
    check(lay.map.bottom <= lay.panel.top + 1 && lay.map.width >= 389 && lay.panel.width >= 389,
      `narrow layout: map 0–${lay.map.bottom.toFixed(0)} px, panel from ${lay.panel.top.toFixed(0)} px, full width`);
    await p4.screenshot({ path: shot("map-narrow.png") });
    // The 亩均 controls on the narrow screen: the measure, its class legend and the key
    // figures' 亩均 line fit the width; the dashboard's ranking chart is drawn full width.
    await p4.goto(BASE + "/map/?measure=tax_per_mu&date=" + date, { waitUntil: "domcontentloaded" });
    await ready(p4);
    await p4.waitForSelector('#shade-legend .classes[data-measure="tax_per_mu"]');
    const fit = await p4.evaluate(() => Object.fromEntries(["#measure", "#shade-legend", '#keyfig [data-key="mujun"]', "#shade-legend .classes ul"].map((sel) => {
      const e = document.querySelector(sel);
      const r = e.getBoundingClientRect();
      return [sel, { left: r.left, right: r.right, width: r.width, scroll: e.scrollWidth - e.clientWidth, shown: r.width > 0 && r.height > 0 }];
    })));
    check(Object.values(fit).every((x) => x.shown && x.left >= 0 && x.right <= 391 && x.scroll <= 1),
      `narrow: measure, class legend and 亩均 key figure fit in 390 px (${Object.entries(fit).map(([k, v]) => `${k} ${v.left.toFixed(0)}–${v.right.toFixed(0)}`).join(", ")})`);
    await p4.click("#dash-open");
    await p4.waitForSelector('#dashboard[data-ready="true"]', { timeout: T });
    await p4.locator("#chart-rank").scrollIntoViewIfNeeded();
    const rank = await p4.evaluate(() => {
      const r = document.querySelector("#chart-rank").getBoundingClientRect();
      return { left: r.left, right: r.right, height: r.height, bars: window.landreg.charts["chart-rank"].getDatasetMeta(0).data.length };
    });
    check(rank.left >= 0 && rank.right <= 391 && rank.right - rank.left > 300 && rank.height > 150 && rank.bars > 0,
      `narrow: the ranking chart is ${(rank.right - rank.left).toFixed(0)}×${rank.height.toFixed(0)} px with ${rank.bars} bars`);
    await p4.screenshot({ path: shot("map-narrow-mujun.png") });
    await p4.close();
  }

  // 5. Basemap setting: ?basemap= adds a raster layer under the data (tiles may 404 here).
  const bm = await context.newPage();
  await bm.goto(BASE + "/map/?basemap=" + encodeURIComponent(BASE + "/no-basemap-here/{z}/{x}/{y}.png"), { waitUntil: "domcontentloaded" });
  await bm.waitForSelector('body[data-ready="true"]', { timeout: T });
  const layers = await bm.evaluate(() => window.landregMap.getStyle().layers.map((l) => l.id));
  check(layers.indexOf("basemap-0") >= 0 && layers.indexOf("basemap-0") < layers.indexOf("districts-fill"),
    "?basemap= adds a raster layer beneath the data layers");
  await bm.close();

  // 13. Remediation projects (issue 15): a layer of their own, toggled in the layer list,
  // coloured by status in the vocabulary's colours (those of the layer's style), and a
  // click on a project opens its card as GET /v1/remediation/{id} gives it.
  if (PROJECT_ID) {
    const pr = await context.newPage();
    await pr.setViewportSize({ width: 1366, height: 768 });
    await pr.goto(BASE + `/map/#15/${PLAT}/${PLON}`, { waitUntil: "domcontentloaded" });
    await ready(pr);
    const vocab = (await api("/v1/vocabulary")).body.remediation_statuses;
    const project = (await api(`/v1/remediation/${PROJECT_ID}`)).body;
    check(vocab.length === 5 && project && project.id === PROJECT_ID, `vocabulary has the ${vocab.length} remediation statuses; project ${PROJECT_ID} is ${project.status}`);
    const ui = await pr.evaluate(() => ({
      toggle: document.querySelector('input[data-layer="remediation"]')?.checked,
      legend: [...document.querySelectorAll("#remediation-legend span[data-status]")].map((s) => s.dataset.status),
      paint: JSON.stringify(window.landregMap.getPaintProperty("remediation-fill", "fill-color")),
    }));
    check(ui.toggle === true && ui.legend.join() === vocab.map((s) => s.code).join(), `layer list: remediation toggle on, legend ${ui.legend.join(" → ")}`);
    const style = (await api("/collections/remediation_projects/styles/default?f=mapbox")).body;
    const styleFill = JSON.stringify(style.layers.find((l) => l.type === "fill").paint["fill-color"]);
    for (const s of vocab) {
      check(ui.paint.includes(`"${s.code}","${s.colour}"`) && styleFill.includes(`"${s.code}","${s.colour}"`), `${s.code} drawn in ${s.colour}, as the style says`);
    }
    const hit = await pr.evaluate(([lon, lat]) => {
      const m = window.landregMap;
      const p = m.project([lon, lat]);
      const f = m.queryRenderedFeatures([p.x, p.y], { layers: ["remediation-fill"] })[0];
      const r = m.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y, id: f ? f.id : null, status: f ? f.properties.status : null, name: f ? f.properties.name : null };
    }, [PLON, PLAT]);
    check(hit.id === PROJECT_ID && hit.status === project.status && hit.name === project.name,
      `project ${PROJECT_ID} (${hit.name}, ${hit.status}) is drawn under (${hit.x.toFixed(0)}, ${hit.y.toFixed(0)})`);
    await pr.mouse.click(hit.x, hit.y);
    await pr.waitForSelector(`body[data-project="${PROJECT_ID}"] .project-card[data-project="${PROJECT_ID}"]`, { timeout: T });
    const card = await pr.textContent(".project-card");
    check(card.includes(project.name) && card.includes(project.status) && card.includes(project.method) && card.includes(project.town),
      `project card: ${card.slice(0, 80)}…`);
    await mapIdle(pr);
    await pr.screenshot({ path: shot("map-remediation.png") });
    log("screenshot saved:", shot("map-remediation.png"));
    const drawn = () => pr.evaluate(() => window.landregMap.queryRenderedFeatures({ layers: ["remediation-fill"] }).length);
    await pr.uncheck('input[data-layer="remediation"]');
    await mapIdle(pr);
    const off = await drawn();
    await pr.check('input[data-layer="remediation"]');
    await mapIdle(pr);
    const on = await drawn();
    check(off === 0 && on > 0, `the toggle hides the projects (${off} drawn) and shows them again (${on})`);
    await pr.close();
  }

  // 12. serve --auth-reads: the map asks for a token, keeps it for the tab and shows data.
  if (AUTH_URL && TOKEN) {
    const pa = await context.newPage();
    await pa.setViewportSize({ width: 1366, height: 768 });
    await pa.goto(AUTH_URL + "/map/", { waitUntil: "domcontentloaded" });
    await pa.waitForSelector('body[data-auth="needed"] #auth:not([hidden])', { timeout: T });
    check(true, "without a token the map asks for one");
    await pa.fill("#auth-token", TOKEN);
    await pa.click("#auth-save");
    await pa.waitForLoadState("domcontentloaded");
    await pa.waitForSelector('body[data-ready="true"]', { timeout: T });
    await mapIdle(pa);
    const seen = await pa.evaluate(() => ({
      stored: !!sessionStorage.getItem("landreg.token"),
      districts: window.landregMap.querySourceFeatures("land", { sourceLayer: "districts" }).length,
      points: window.landregMap.queryRenderedFeatures({ layers: ["parcel-cells"] }).length,
      rows: document.querySelectorAll("#idle tr[data-category]").length,
      authShown: !document.querySelector("#auth").hidden,
    }));
    check(seen.stored && seen.districts > 0 && seen.points > 0 && seen.rows > 0 && !seen.authShown,
      `with the token the map shows data (${seen.districts} districts, ${seen.points} parcel cells, ${seen.rows} legend rows)`);
    await pa.screenshot({ path: shot("map-auth.png") });
    await pa.close();
  }
} catch (e) {
  console.error("[map.e2e] FAIL:", e && e.stack ? e.stack : e);
  process.exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
