"""Edit block_lines the way a planner does in QGIS: a PostgreSQL layer, startEditing,
change a geometry (and, given an adjustment id, the line's adjustment_id attribute, as
docs/qgis.md tells planners to), commitChanges. Prints one line per attempt: name,
committed (True / False) and the commit errors QGIS would show."""
import os
import sys

from qgis.core import QgsApplication, QgsGeometry, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
# The provider reports the database's message to the message log (QGIS shows it in the
# "Could not commit changes" dialog and the log panel); collect it.
messages = []
QgsApplication.messageLog().messageReceived.connect(lambda msg, tag, level: messages.append(msg))
conn, line_id = sys.argv[1], int(sys.argv[2])
adjustment_id = int(sys.argv[3]) if len(sys.argv) > 3 else None
layer = QgsVectorLayer(f"{conn} key='id' srid=4490 type=MultiPolygon table=\"public\".\"block_lines\" (geom)", "block_lines", "postgres")
if not layer.isValid():
    print("layer invalid", layer.error().summary())
    sys.stdout.flush()
    os._exit(1)


def attempt(name, shrink, adjustment_id=None):
    feat = next(f for f in layer.getFeatures() if f["id"] == line_id)
    geom = QgsGeometry(feat.geometry())
    box = geom.boundingBox()
    # Cut a strip off the west side: `shrink` is its width as a share of the line's width.
    cut = QgsGeometry.fromWkt(
        f"POLYGON(({box.xMinimum() - 1} {box.yMinimum() - 1}, {box.xMinimum() + shrink * box.width()} {box.yMinimum() - 1}, "
        f"{box.xMinimum() + shrink * box.width()} {box.yMaximum() + 1}, {box.xMinimum() - 1} {box.yMaximum() + 1}, "
        f"{box.xMinimum() - 1} {box.yMinimum() - 1}))")
    new = geom.difference(cut)
    new.convertToMultiType()
    layer.startEditing()
    layer.changeGeometry(feat.id(), new)
    if adjustment_id is not None:
        layer.changeAttributeValue(feat.id(), layer.fields().indexOf("adjustment_id"), adjustment_id)
    ok = layer.commitChanges()
    app.processEvents()
    err = "" if ok else " | ".join(layer.commitErrors() + messages).replace("\n", " ")
    if not ok:
        layer.rollBack()
    print(name, ok, err)


if adjustment_id is None:
    attempt("cut-strip", 0.05)
else:
    attempt("cut-strip-in-adjustment", 0.05, adjustment_id)
sys.stdout.flush()
os._exit(0)
