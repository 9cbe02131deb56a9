package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/landreg/landreg/store"
)

// TestTranslateNamesFields (issue 14.16): every integrity refusal a writer can meet is
// told in Chinese and English, naming the field, never the constraint.
func TestTranslateNamesFields(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{})
	if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2TXTE001', '甲')`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sql, kind, field string
	}{
		{`INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2TXTE001', '乙')`, "duplicate", "uscc"},
		{`INSERT INTO districts (xzqdm, name, geom) VALUES ('330304', '重复', ST_Multi(ST_MakeEnvelope(121.5, 29.5, 121.6, 29.6, 4490)))`, "duplicate", "xzqdm"},
		{`UPDATE parcels SET zddm = (SELECT zddm FROM parcels WHERE id = $1) WHERE id <> $1`, "duplicate", "zddm"},
		{`UPDATE parcels SET holder_uscc = '91330304MA2TXTF00Y' WHERE id = $1`, "unknown-reference", "holder_uscc"},
		{`UPDATE parcels SET agreed_start = '2018-01-01' WHERE id = $1`, "constraint-violation", "agreed_start"},
		{`UPDATE parcels SET price_wan = -1 WHERE id = $1`, "constraint-violation", "price_wan"},
		{`UPDATE parcels SET zddm = 'abc' WHERE id = $1`, "constraint-violation", "zddm"},
		{`UPDATE parcels SET landuse_code = NULL WHERE id = $1`, "constraint-violation", "landuse_code"},
		{`INSERT INTO idle_policy (xzqdm, stopped_months) VALUES ('330304', -1)`, "constraint-violation", "stopped_months"},
		{`INSERT INTO idle_policy (xzqdm, low_eff_tax_per_mu_wan) VALUES ('330304', 0)`, "constraint-violation", "low_eff_tax_per_mu_wan"},
		{`INSERT INTO idle_policy (xzqdm, far_floor) VALUES ('330304', NULL)`, "constraint-violation", "far_floor"},
	} {
		if c.sql == `UPDATE parcels SET zddm = (SELECT zddm FROM parcels WHERE id = $1) WHERE id <> $1` {
			addParcel(t, pool, parcelSpec{})
		}
		var err error
		if strings.Contains(c.sql, "$1") {
			_, err = pool.Exec(ctx, c.sql, id)
		} else {
			_, err = pool.Exec(ctx, c.sql)
		}
		e := store.Translate(err)
		if e == nil {
			t.Errorf("%s: %v not translated", c.sql, err)
			continue
		}
		if e.Kind != c.kind || e.Field != c.field || e.Zh == "" || e.En == "" || strings.Contains(e.Error(), "_check") ||
			strings.Contains(e.Error(), "_key") || strings.Contains(e.Error(), "Failing row") {
			t.Errorf("%s:\n  got %s field %q: %s\n  want %s field %q, bilingual, no constraint name", c.sql, e.Kind, e.Field, e.Error(), c.kind, c.field)
		}
	}
}
