package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// TestAreaCheckInDistrictZone: a district east of 121.5°E (Zhoushan, 定海区) measures
// registered areas in zone 41 (CM 123°E, EPSG:4550), as geo.GaussKrugerZone says, not
// in Wenzhou's zone 40.
func TestAreaCheckInDistrictZone(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom)
VALUES ('330902', '定海区', ST_Multi(ST_MakeEnvelope(121.95, 29.95, 122.25, 30.15, 4490)))`); err != nil {
		t.Fatal(err)
	}
	var srid int
	var lon float64
	pool.QueryRow(ctx, `SELECT gk_srid, ST_X(ST_Centroid(geom)) FROM districts WHERE xzqdm = '330902'`).Scan(&srid, &lon)
	if want := geo.GaussKrugerSRID(geo.GaussKrugerZone(lon)); srid != want || srid != 4550 {
		t.Fatalf("district zone EPSG:%d, geo says EPSG:%d, want 4550", srid, want)
	}
	var id int64
	err := store.InTx(ctx, pool, store.Change{Actor: "test"}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, registered_area_m2)
SELECT '330902001001GB00001', '330902', '0601', g, round(ST_Area(ST_Transform(g, 4550))::numeric, 2)
FROM (SELECT ST_Multi(ST_MakeEnvelope(122.20, 30.00, 122.203, 30.002, 4490)) AS g) s RETURNING id`).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	ac, err := store.CheckArea(ctx, pool, id)
	if err != nil {
		t.Fatal(err)
	}
	var in4550, in4549 float64
	pool.QueryRow(ctx, `SELECT ST_Area(ST_Transform(geom, 4550)), ST_Area(ST_Transform(geom, 4549)) FROM parcels WHERE id = $1`, id).Scan(&in4550, &in4549)
	if math.Abs(ac.PlaneM2-in4550) > 1e-6 || math.Abs(in4550-in4549) < 1e-3 || ac.Flagged {
		t.Errorf("plane area %v, want the zone-41 area %v (zone 40 would be %v); flagged %v", ac.PlaneM2, in4550, in4549, ac.Flagged)
	}
}
