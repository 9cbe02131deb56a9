package landreg

import "testing"

func TestValidateIndicators(t *testing.T) {
	good := map[string]string{"uscc": "91330303102301170J", "year": "2024", "tax_wan": "120.5", "va_wan": "800",
		"land_mu_used": "12", "employees": "45", "invest_wan": "0", "reported_on": "2025-04-01"}
	if errs := ValidateIndicators(good); len(errs) != 0 {
		t.Fatalf("a good record refused: %v", errs)
	}
	for _, c := range []struct{ k, v, field string }{
		{"uscc", "91330303102301170K", "uscc"}, // check character
		{"uscc", "", "uscc"},
		{"year", "1899", "year"},
		{"year", "2024.5", "year"},
		{"tax_wan", "", "tax_wan"},
		{"tax_wan", "-0.01", "tax_wan"},
		{"tax_wan", "NaN", "tax_wan"},
		{"va_wan", "Inf", "va_wan"},
		{"va_wan", "100000001", "va_wan"},
		{"employees", "1000001", "employees"},
		{"land_mu_used", "0", "land_mu_used"}, // land is positive
		{"land_mu_used", "150001", "land_mu_used"},
		{"reported_on", "2025-02-30", "reported_on"},
		{"reported_on", "2200-01-01", "reported_on"},
	} {
		r := map[string]string{}
		for a, b := range good {
			r[a] = b
		}
		r[c.k] = c.v
		errs := ValidateIndicators(r)
		if len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%s=%q: %v, want one problem on %s", c.k, c.v, errs, c.field)
		}
	}
	// The bounds themselves are accepted.
	r := map[string]string{"uscc": good["uscc"], "year": "2199", "tax_wan": "100000000", "land_mu_used": "150000", "employees": "0"}
	if errs := ValidateIndicators(r); len(errs) != 0 {
		t.Errorf("bounds refused: %v", errs)
	}
}
