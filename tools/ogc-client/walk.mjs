// Walks a landreg server with a maintained OGC API client (camptocamp's ogc-client, as
// web GIS front ends use it) and prints what the client understood as one JSON document:
// the conformance classes, every collection with its info, first items and one item by
// id, its vector tile set and styles. The Go test (api/ogcclient_test.go) compares it
// with the server's own answers.
// Usage: node walk.mjs http://127.0.0.1:PORT
import { OgcApiEndpoint } from '@camptocamp/ogc-client';

const base = process.argv[2];
// The client resolves links against the page's location, as in a browser.
globalThis.location = new URL(base + '/');

const endpoint = new OgcApiEndpoint(base + '/');
const out = {
  info: await endpoint.info,
  conformance: await endpoint.conformanceClasses,
  hasFeatures: await endpoint.hasFeatures,
  hasTiles: await endpoint.hasTiles,
  hasStyles: await endpoint.hasStyles,
  tileMatrixSets: await endpoint.tileMatrixSets,
  featureCollections: await endpoint.featureCollections,
  vectorTileCollections: await endpoint.vectorTileCollections,
  collections: {},
};
for (const id of out.featureCollections) {
  const info = await endpoint.getCollectionInfo(id);
  const items = await endpoint.getCollectionItems(id, 5);
  const first = items.length ? await endpoint.getCollectionItem(id, String(items[0].id)) : null;
  const c = {
    title: info.title,
    itemCount: info.itemCount,
    crs: info.crs,
    queryables: info.queryables.map((q) => q.name),
    itemFormats: info.itemFormats,
    vectorTileFormats: info.vectorTileFormats,
    tileMatrixSets: info.supportedTileMatrixSets,
    items: items.map((f) => f.id),
    firstItem: first && { id: first.id, properties: first.properties },
  };
  if (out.vectorTileCollections.includes(id)) {
    c.tileset = await endpoint.getVectorTilesetUrl(id);
  }
  try {
    c.styles = (await endpoint.allStyles(id)).map((s) => s.id);
    c.stylesheet = await endpoint.getStylesheetUrl('default', 'application/vnd.mapbox.style+json', id);
  } catch (e) {
    c.stylesError = String(e);
  }
  out.collections[id] = c;
}
process.stdout.write(JSON.stringify(out));
