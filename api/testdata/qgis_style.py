"""Open a landreg collection with QGIS's OAPIF provider, follow the collection's link to
its QML and SLD styles as a planner would (download, then Load Style), and print what
QGIS made of each: the renderer type, the link followed, the classifying attribute (and
whether the layer has that field), one line per category (value, colour, label), and
one line per feature with the colour of the symbol the renderer draws it with ("none"
when it falls outside every category): `kind feature <id> <colour>`."""
import json
import os
import sys
import tempfile
import urllib.request

from qgis.core import (QgsApplication, QgsExpressionContext, QgsExpressionContextUtils, QgsRenderContext,
                       QgsVectorLayer)

app = QgsApplication([], False)
app.initQgis()
base, coll = sys.argv[1], sys.argv[2]
doc = json.load(urllib.request.urlopen(f"{base}/collections/{coll}"))
links = {l["type"]: l["href"] for l in doc["links"] if l["rel"] == "stylesheet"}
layer = QgsVectorLayer(f"url='{base}' typename='{coll}' restrictToRequestBBOX='0'", coll, "OAPIF")
if not layer.isValid():
    print("invalid layer")
    sys.stdout.flush()
    os._exit(1)
tmp = tempfile.mkdtemp()
for kind, mt in (("qml", "application/vnd.qgis.qml+xml"), ("sld", "application/vnd.ogc.sld+xml;version=1.0")):
    path = os.path.join(tmp, f"{coll}.{kind}")
    with open(path, "wb") as f:
        f.write(urllib.request.urlopen(links[mt]).read())
    # Both return (message, success).
    if kind == "qml":
        msg, ok = layer.loadNamedStyle(path)
    else:
        msg, ok = layer.loadSldStyle(path)
    r = layer.renderer()
    print(kind, "ok" if ok else "failed:" + msg, r.type())
    print(kind, "link", links[mt])
    if r.type() == "categorizedSymbol":
        attr = r.classAttribute()
        print(kind, "attribute", attr, "field" if layer.fields().indexOf(attr) >= 0 else "nofield")
        for c in r.categories():
            print(kind, "category", c.value(), c.symbol().color().name(), c.label().replace(" ", "_"))
    elif r.type() == "RuleRenderer":
        for rule in r.rootRule().children():
            print(kind, "rule", rule.filterExpression().replace(" ", ""), rule.symbol().color().name())
    # What the renderer makes of each feature, as when drawing the layer.
    ctx = QgsRenderContext()
    ctx.setExpressionContext(QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer)))
    r.startRender(ctx, layer.fields())
    for f in layer.getFeatures():
        ctx.expressionContext().setFeature(f)
        syms = r.symbolsForFeature(f, ctx)
        print(kind, "feature", f["id"], syms[0].color().name() if syms else "none")
    r.stopRender(ctx)
sys.stdout.flush()
os._exit(0)
