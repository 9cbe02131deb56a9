-- +goose Up
-- Registered (legal) areas are measured on the Gauss-Krüger plane of the district's own
-- 3-degree zone (CGCS2000): CM 117°E, 120°E or 123°E in Zhejiang. The zone is the one
-- whose central meridian is nearest the district's centroid, as geo.GaussKrugerZone
-- computes it; EPSG:4509 + zone is its central-meridian form (zone 40: EPSG:4549).
ALTER TABLE districts ADD COLUMN gk_srid integer
  GENERATED ALWAYS AS (4509 + least(greatest(round(ST_X(ST_Centroid(geom)) / 3)::int, 25), 45)) STORED;
COMMENT ON COLUMN districts.gk_srid IS '高斯-克吕格3度带（中央经线形式）/ EPSG code of the district''s 3-degree Gauss-Kruger zone, where registered areas are measured';

-- +goose Down
ALTER TABLE districts DROP COLUMN gk_srid;
