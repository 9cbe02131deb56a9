// Browser test of /map/ in Debian's headless Chromium, driven by playwright-core.
// Run by web/map_test.go (go test ./web/), which starts a landreg server with the demo
// fixtures and passes:
//   LANDREG_URL            server root, e.g. http://127.0.0.1:40123
//   LANDREG_CHROMIUM       /usr/bin/chromium
//   LANDREG_DISTRICT       district to select, e.g. 330304
//   LANDREG_PARCEL_ID      a parcel to click, LANDREG_PARCEL_ZDDM its 宗地代码,
//   LANDREG_PARCEL_LONLAT  "lon,lat" of a point well inside it
//   LANDREG_VIEW_BBOX      "minLon,minLat,maxLon,maxLat" to frame the screenshot on
//   LANDREG_SCREENSHOT     where to save the PNG
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
    viewport: { width: 1600, height: 1000 },
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

  // 1. Load the page; wait for the layers and the panels.
  await page.goto(BASE + "/map/", { waitUntil: "domcontentloaded" });
  await page.waitForSelector('body[data-ready="true"]', { timeout: T });
  const err = await page.getAttribute("body", "data-error");
  check(!err, `page started without error (data-error=${err})`);
  const webgl = await page.evaluate(() => !!window.landregMap && !!window.landregMap.getCanvas().getContext("webgl2"));
  check(webgl, "MapLibre map exists with a WebGL2 canvas");
  let date = await page.inputValue("#date");
  check(/^\d{4}-\d{2}-\d{2}$/.test(date), `date picker holds a date (${date})`);
  const tileURL = await page.evaluate(() => window.landregMap.getSource("land").tiles[0]);
  check(tileURL.includes("/tiles/districts,block_lines,parcels/{z}/{x}/{y}.mvt?datetime=" + date),
    `one vector source for all layers, as of the date (${tileURL.replace(BASE, "")})`);
  const nDistricts = await page.evaluate(() => window.landregMap.querySourceFeatures("land", { sourceLayer: "districts" }).length);
  check(nDistricts > 0, `district tiles loaded (${nDistricts} features)`);
  const nLines = await page.evaluate(() => window.landregMap.querySourceFeatures("land", { sourceLayer: "block_lines" }).length);
  check(nLines > 0, `block-line tiles loaded (${nLines} features)`);

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

  const idle = await api(`/v1/audit/idle?date=${date}&district=${DISTRICT}`);
  check(idle.status === 200, `GET /v1/audit/idle answers 200`);
  {
    const wantCount = (idle.body.rows || []).reduce((s, r) => s + Number(r.parcels ?? r.count ?? 0), 0);
    check(wantCount > 0, `the API counts ${wantCount} parcels in ${DISTRICT}`);
    const gotCount = await page.evaluate(() => [...document.querySelectorAll("#idle tr[data-category] td:nth-child(2)")]
      .reduce((s, td) => s + Number(td.textContent), 0));
    check(gotCount === wantCount, `idle panel counts ${gotCount} parcels = API ${wantCount}`);
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

  // 5. Basemap setting: ?basemap= adds a raster layer under the data (tiles may 404 here).
  const bm = await context.newPage();
  await bm.goto(BASE + "/map/?basemap=" + encodeURIComponent(BASE + "/no-basemap-here/{z}/{x}/{y}.png"), { waitUntil: "domcontentloaded" });
  await bm.waitForSelector('body[data-ready="true"]', { timeout: T });
  const layers = await bm.evaluate(() => window.landregMap.getStyle().layers.map((l) => l.id));
  check(layers.indexOf("basemap-0") >= 0 && layers.indexOf("basemap-0") < layers.indexOf("districts-fill"),
    "?basemap= adds a raster layer beneath the data layers");
  await bm.close();
} catch (e) {
  console.error("[map.e2e] FAIL:", e && e.stack ? e.stack : e);
  process.exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
