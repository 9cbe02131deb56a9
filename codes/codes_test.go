package codes

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestUSCC(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"914403001922038216", true},  // a real, published code (GB 32100 check digit 6)
		{"91330303MA2KQPQK84", true},  // demo fixture code (synthetic, valid check)
		{"914403001922038217", false}, // wrong check digit
		{"91440300192203821", false},  // 17 characters
		{"9144030019220382169", false},
		{"914403001922038I16", false}, // I is not in the code set
		{"914403001922O38216", false}, // nor is O
		{"914403001922038s16", false}, // lower case
		{"C14403001922038216", false}, // C is no registering authority
		{"91440A001922038216", false}, // region part must be digits
		{"", false},
	} {
		err := USCC(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("USCC(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	c, err := USCCCheck("91440300192203821")
	if err != nil || c != '6' {
		t.Errorf("USCCCheck = %c, %v; want 6", c, err)
	}
	// The message names the expected check character in both languages.
	err = USCC("914403001922038217")
	if !strings.Contains(err.Error(), "应为 6") || !strings.Contains(err.Error(), "expected 6") {
		t.Errorf("message %q", err)
	}
	// Every check character is reachable, including 0 (sum ≡ 0 mod 31).
	seen := map[byte]bool{}
	for i := 0; i < 2000; i++ {
		body := "9133030" + strings.Repeat("0", 6) + string(usccChars[i%31]) + string(usccChars[(i/31)%31]) + string(usccChars[(i/961)%31]) + "0"
		c, err := USCCCheck(body)
		if err != nil {
			t.Fatal(err)
		}
		seen[c] = true
		if USCC(body+string(c)) != nil {
			t.Fatalf("%s%c rejected", body, c)
		}
	}
	if len(seen) != 31 {
		t.Errorf("%d distinct check characters, want 31", len(seen))
	}
}

func TestZDDMAndBDCDYH(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"330304001001GB00001", true},
		{"330381009020JA12345", true},
		{"330304001001GX00001", true},  // 地下 construction-land right
		{"330304001001GB0001", false},  // 18 characters
		{"330304001001QB00001", false}, // Q is no ownership letter
		{"330304001001GI00001", false}, // I is no right letter
		{"330304000001GB00001", false}, // 地籍区 000
		{"330304001001GB00000", false}, // sequence 00000
		{"330300001001GB00001", false}, // prefecture, not county
		{"03030400100AGB00001", false},
	} {
		if err := ZDDM(tc.in); (err == nil) != tc.ok {
			t.Errorf("ZDDM(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"330304001001GB00001F00010001", true},
		{"330304001001GB00001W00000000", true},
		{"330304001001GB00001L00000012", true},
		{"330304001001GB00001W00010001", false}, // vacant units are numbered 0
		{"330304001001GB00001F00000000", false},
		{"330304001001GB00001X00010001", false},
		{"330304001001GB00001F0001000", false},
		{"330304001001GB00000F00010001", false}, // bad parcel part
	} {
		if err := BDCDYH(tc.in); (err == nil) != tc.ok {
			t.Errorf("BDCDYH(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestXzqdm(t *testing.T) {
	for in, ok := range map[string]bool{"330304": true, "330381": true, "330300": false, "33030": false, "033030": false, "33030A": false} {
		if err := Xzqdm(in); (err == nil) != ok {
			t.Errorf("Xzqdm(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestLandUse(t *testing.T) {
	for _, tc := range []struct {
		sys, code string
		ok, indus bool
	}{
		{"GB/T 21010", "0601", true, true},
		{"GB/T 21010-2017", "0604", true, false},
		{"", "0601", true, true},            // registration default
		{"GB/T 21010", "1001", true, false}, // 铁路用地 here, 工业用地 in 用地用海
		{"用地用海分类", "1001", true, true},
		{"国土空间用地用海分类", "100102", true, true},
		{"用地用海分类", "0601", true, false}, // 乡村道路用地
		{"用地用海分类", "100104", false, false},
		{"GB 50137", "M2", true, true},
		{"GB50137-2011", "m1", true, true},
		{"GB 50137", "W1", true, false},
		{"GB 50137", "M4", false, false},
		{"三调", "0508", true, false},
		{"三调", "0604", false, false},
		{"GB/T 21010", "0699", false, false},
		{"GB/T 21010", "06", true, false},
		{"DLTB", "0601", false, false}, // unknown system
	} {
		err := LandUse(tc.sys, tc.code)
		if (err == nil) != tc.ok {
			t.Errorf("LandUse(%q, %q) = %v, want ok=%v", tc.sys, tc.code, err, tc.ok)
		}
		if IsIndustrial(tc.sys, tc.code) != tc.indus {
			t.Errorf("IsIndustrial(%q, %q) = %v", tc.sys, tc.code, !tc.indus)
		}
	}
	if !IsWarehouse("GB 50137", "w2") || !IsWarehouse("用地用海分类", "1101") || IsWarehouse("GB/T 21010", "0601") {
		t.Error("IsWarehouse")
	}
	if n := len(LandUseCodes("GB/T 21010")); n != 12+73 {
		t.Errorf("GB/T 21010 has %d classes, want 12 first-level + 73 second-level", n)
	}
	if LandUseName("GB/T 21010", "0601") != "工业用地" {
		t.Error("name of 0601")
	}
}

// TestFixtureCodes: every code of the demo data passes its validator.
func TestFixtureCodes(t *testing.T) {
	raw, err := os.ReadFile("../fixtures/data/parcels.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		p := f.Properties
		s := func(k string) string { v, _ := p[k].(string); return v }
		if err := ZDDM(s("zddm")); err != nil {
			t.Error(err)
		}
		if b := s("bdcdyh"); b != "" {
			if err := BDCDYH(b); err != nil {
				t.Error(err)
			}
		}
		if u := s("holder_uscc"); u != "" {
			if err := USCC(u); err != nil {
				t.Error(err)
			}
		}
		if err := LandUse(s("landuse_system"), s("landuse_code")); err != nil {
			t.Error(err)
		}
	}
}

func TestIndustry(t *testing.T) {
	for _, ok := range []string{"C", "34", "344", "3443", "1952", "A", "T"} {
		if err := Industry(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "U", "c", "3", "34431", "00", "0012", "98", "34a3", " 3443"} {
		if err := Industry(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
