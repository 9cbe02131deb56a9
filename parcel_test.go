package landreg

import (
	"testing"
	"time"
)

func TestValidateParcel(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	good := map[string]string{"zddm": "330304001001GB00001", "xzqdm": "330304", "landuse_code": "0601",
		"contract_date": "2019-01-10", "agreed_delivery": "2019-03-01", "agreed_start": "2019-06-01"}
	if errs := ValidateParcel(good, today); len(errs) != 0 {
		t.Fatalf("a good record refused: %v", errs)
	}
	with := func(k, v string) map[string]string {
		p := map[string]string{}
		for a, b := range good {
			p[a] = b
		}
		p[k] = v
		return p
	}
	for _, tt := range []struct {
		p     map[string]string
		field string
	}{
		{with("zddm", ""), "zddm"},
		{with("zddm", "330304001001GB0000X"), "zddm"},
		{with("xzqdm", "330302"), "xzqdm"},
		{with("xzqdm", ""), "xzqdm"},
		{with("landuse_code", ""), "landuse_code"},
		{with("landuse_system", "foo"), "landuse_system"},
		{with("bdcdyh", "330304001001GB00002F00010001"), "bdcdyh"},
		{with("holder_uscc", "91330300MA2XXXXX0X"), "holder_uscc"},
		// The importer once took both (issue 12): delivery before the contract, a
		// contract in the future.
		{with("agreed_delivery", "2018-12-31"), "agreed_delivery"},
		{with("contract_date", "2026-12-02"), "agreed_delivery"},
		{with("contract_date", "2026-12-02"), "contract_date"},
		{with("agreed_start", "2019-13-01"), "agreed_start"},
	} {
		errs := ValidateParcel(tt.p, today)
		found := false
		for _, e := range errs {
			if e.Field == tt.field {
				found = true
				if e.Zh == "" || e.En == "" || e.Kind == "" {
					t.Errorf("%s: incomplete error %+v", tt.field, e)
				}
			}
		}
		if !found {
			t.Errorf("%v: no problem on %s (got %v)", tt.p, tt.field, errs)
		}
	}
}
