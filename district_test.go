package landreg

import "testing"

func TestValidateDistrict(t *testing.T) {
	good := map[string]string{"xzqdm": "330327", "name": "苍南县", "rule_start": "2021-01-01", "rule_end": "2030-12-31",
		"comp_ratio": "1", "minor_edit_m2": "1", "level_for_level": "true", "include_logistics": "false", "doc_no": "苍政发〔2020〕88号"}
	if errs := ValidateDistrict(good); len(errs) != 0 {
		t.Fatalf("a good record refused: %v", errs)
	}
	with := func(k, v string) map[string]string {
		d := map[string]string{}
		for a, b := range good {
			d[a] = b
		}
		if v == "-" {
			delete(d, k)
		} else {
			d[k] = v
		}
		return d
	}
	for _, tt := range []struct {
		d     map[string]string
		field string
	}{
		{with("xzqdm", "-"), "xzqdm"}, {with("xzqdm", "330300"), "xzqdm"}, {with("xzqdm", "03303"), "xzqdm"},
		{with("name", " "), "name"}, {with("rule_start", "2021-02-30"), "rule_start"}, {with("rule_end", "2021-01-01"), "rule_end"},
		{with("rule_end", "2300-01-01"), "rule_end"}, {with("comp_ratio", "0.99"), "comp_ratio"}, {with("comp_ratio", "10.01"), "comp_ratio"},
		{with("comp_ratio", "NaN"), "comp_ratio"}, {with("comp_ratio", "Inf"), "comp_ratio"}, {with("minor_edit_m2", "-0.1"), "minor_edit_m2"},
		{with("minor_edit_m2", "10001"), "minor_edit_m2"}, {with("level_for_level", "yes"), "level_for_level"},
		{with("include_logistics", "1"), "include_logistics"}, {with("doc_no", "-"), "doc_no"}, {with("doc_no", "  "), "doc_no"},
	} {
		errs := ValidateDistrict(tt.d)
		if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Zh == "" || errs[0].En == "" {
			t.Errorf("%v: %v, want one problem with %s", tt.d, errs, tt.field)
		}
	}
	// An open window is fine; so are bounds themselves.
	for _, d := range []map[string]string{with("rule_end", "-"), with("rule_start", "-"), with("comp_ratio", "10"), with("minor_edit_m2", "0")} {
		if errs := ValidateDistrict(d); len(errs) != 0 {
			t.Errorf("%v refused: %v", d, errs)
		}
	}
}

func TestValidateEnterprise(t *testing.T) {
	good := map[string]string{"uscc": "91330303102301170J", "name": "温州星信阀门有限公司（示例）", "industry_code": "3443", "is_above_size": "true"}
	if errs := ValidateEnterprise(good); len(errs) != 0 {
		t.Fatalf("a good record refused: %v", errs)
	}
	for k, v := range map[string]string{"uscc": "91330303102301170K", "name": "", "industry_code": "99999", "is_above_size": "规上"} {
		d := map[string]string{}
		for a, b := range good {
			d[a] = b
		}
		d[k] = v
		if errs := ValidateEnterprise(d); len(errs) != 1 || errs[0].Field != k {
			t.Errorf("%s = %q: %v", k, v, errs)
		}
	}
}
