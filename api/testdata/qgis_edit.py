"""Edit block_lines the way a planner does in QGIS: a PostgreSQL layer, startEditing,
change a geometry, commitChanges. Prints one line per attempt: name, committed (True /
False) and the first commit error QGIS would show."""
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
layer = QgsVectorLayer(f"{conn} key='id' srid=4490 type=MultiPolygon table=\"public\".\"block_lines\" (geom)", "block_lines", "postgres")
if not layer.isValid():
    print("layer invalid", layer.error().summary())
    sys.stdout.flush()
    os._exit(1)


def attempt(name, shrink):
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
    ok = layer.commitChanges()
    app.processEvents()
    err = "" if ok else " | ".join(layer.commitErrors() + messages).replace("\n", " ")
    if not ok:
        layer.rollBack()
    print(name, ok, err)


attempt("cut-strip", 0.05)
sys.stdout.flush()
os._exit(0)
