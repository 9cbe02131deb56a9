#!/usr/bin/env bash
# Writes the sample county package (docs/sample-county/README.md) into OUTDIR, in the
# formats a bureau's files come in, from the text sources in docs/sample-county/:
#   boundary.shp        苍南县 boundary, Shapefile in GBK without .cpg, EPSG:4549 (CGCS2000 GK zone 40)
#   区块线2020.gpkg      the 2020 delineation (划定) of the industrial block lines
#   宗地.shp             parcels, Shapefile in GBK (.cpg), EPSG:4490
#   企业名录.xlsx         enterprises; 事件.xlsx parcel events; 2025年亩均指标.xlsx annual indicators
# Needs ogr2ogr (gdal-bin).
set -euo pipefail
out=${1:?usage: scripts/sample-county.sh OUTDIR}
src="$(cd "$(dirname "$0")/../docs/sample-county" && pwd)"
mkdir -p "$out"
cd "$out"
rm -f boundary.* 宗地.* 区块线2020.gpkg 企业名录.xlsx 事件.xlsx 2025年亩均指标.xlsx
export GDAL_PAM_ENABLED=NO
ogr2ogr -q -f "ESRI Shapefile" boundary.shp "$src/boundary.geojson" -t_srs EPSG:4549 -lco ENCODING=GBK -nln boundary
# Bureau files often come without the .cpg; landreg detects GBK.
rm -f boundary.cpg
ogr2ogr -q -f GPKG 区块线2020.gpkg "$src/block_lines_2020.geojson" -nln 区块线2020
ogr2ogr -q -f "ESRI Shapefile" 宗地.shp "$src/parcels.geojson" -a_srs EPSG:4490 -lco ENCODING=GBK -nln 宗地
for pair in enterprises:企业名录 events:事件 indicators_2025:2025年亩均指标; do
  name=${pair%%:*} file=${pair#*:}
  [ -f "$src/$name.csv" ] || continue
  # Every cell as text, as a bureau's sheet holds its codes.
  ogr2ogr -q -f XLSX "$file.xlsx" "$src/$name.csv" -oo AUTODETECT_TYPE=NO -nln "$file"
done
ls -1 "$out" >&2
