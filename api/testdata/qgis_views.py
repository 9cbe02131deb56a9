"""Read landreg's collection views the way a QGIS user adds them (docs/qgis.md): a
PostgreSQL layer per view with its key column(s). Prints one JSON line per view: name,
valid, feature count, and the id and props of the feature with the smallest id."""
import json
import os
import sys

from qgis.core import QgsApplication, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
conn = sys.argv[1]
for arg in sys.argv[2:]:
    view, key = arg.split(":")
    keys = ",".join(f'"{k}"' for k in key.split(","))
    layer = QgsVectorLayer(f"{conn} key='{keys}' srid=4490 type=MultiPolygon table=\"public\".\"{view}\" (geom)", view, "postgres")
    out = {"view": view, "valid": layer.isValid()}
    if layer.isValid():
        out["count"] = layer.featureCount()
        first = min(layer.getFeatures(), key=lambda f: (f["id"], f["version"] or 0), default=None)
        if first is not None:
            out["id"] = first["id"]
            out["props"] = first["props"]
            out["geometry"] = first.geometry().isGeosValid()
    else:
        out["error"] = layer.error().summary()
    print(json.dumps(out, ensure_ascii=False))
sys.stdout.flush()
os._exit(0)
