package audit

import (
	"strings"

	"github.com/landreg/landreg/report"
)

// bySheet are the reports whose XLSX, asked for every district, has one sheet per
// district after a 汇总 summary sheet (issue 16.6): a bureau hands each district its own
// sheet. The value heads the summary's count column.
var bySheet = map[string]string{
	"idle-parcels": "宗数 Parcels",
	"mujun":        "企业数 Enterprises",
	"targets":      "目标数 Targets",
}

// noDistrict names the sheet of rows without a district (an enterprise judged on
// reported land without parcels).
const noDistrict = "无所在行政区 no district"

// districtSheets splits t, a report for every district, into the summary and one sheet
// per district with rows, in district code order (rows without a district, or the
// city's own targets, after the districts). Each district sheet is t's rows of that
// district with t's columns, title and notes (the district named); the summary has a
// row for every current district and every other group: its code, name, the number of
// rows and the sum of each column that has a total, so each summary row equals its
// sheet's totals and the summary's totals are the whole report's.
func districtSheets(r Report, t *report.Table, names map[string]string, current []string) []*report.Table {
	key := -1
	for j, c := range t.Columns {
		if c.Key == "xzqdm" {
			key = j
		}
	}
	if key < 0 {
		return nil
	}
	groups := map[string][][]any{}
	var order []string
	for _, code := range current {
		groups[code] = nil
		order = append(order, code)
	}
	var others []string
	for _, row := range t.Rows {
		code := cellText(row[key])
		if _, ok := groups[code]; !ok {
			others = append(others, code)
		}
		groups[code] = append(groups[code], row)
	}
	order = append(order, others...)

	summary := &report.Table{
		Title: t.Title + " 汇总 by district",
		Sheet: "汇总",
		Notes: t.Notes,
		Columns: []report.Column{
			{Key: "xzqdm", Header: "行政区划代码 District code", Kind: report.Text},
			{Key: "district", Header: "行政区 District", Kind: report.Text},
			{Key: "rows", Header: bySheet[r.Name], Kind: report.Integer, Total: true},
		},
	}
	var sums []int
	for j, c := range t.Columns {
		if c.Total {
			summary.Columns = append(summary.Columns, c)
			sums = append(sums, j)
		}
	}
	sheets := []*report.Table{summary}
	for _, code := range order {
		rows := groups[code]
		name := districtLabel(code, names)
		line := []any{code, name, int64(len(rows))}
		if code == "" {
			line[0] = nil
		}
		for _, j := range sums {
			var s float64
			for _, row := range rows {
				if v, ok := cellNumber(row[j]); ok {
					s += v
				}
			}
			line = append(line, s)
		}
		summary.Rows = append(summary.Rows, line)
		if len(rows) == 0 {
			continue
		}
		notes := make([]string, 0, len(t.Notes))
		for _, n := range t.Notes {
			if strings.HasPrefix(n, "行政区 District: ") {
				n = "行政区 District: " + strings.TrimSpace(code+" "+name)
			}
			notes = append(notes, n)
		}
		sheet := name
		if code != "" && name != code {
			sheet = name + " " + code
		}
		sheets = append(sheets, &report.Table{Title: t.Title + " — " + name, Sheet: sheet, Notes: notes, Columns: t.Columns, Rows: rows})
	}
	return sheets
}

func districtLabel(code string, names map[string]string) string {
	switch {
	case code == "":
		return noDistrict
	case names[code] != "":
		return names[code]
	}
	return code // 全市 city (a city-wide target) or a code not registered
}

func cellText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case *string:
		if x != nil {
			return *x
		}
	}
	return ""
}

func cellNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case *float64:
		if x != nil {
			return *x, true
		}
	case int64:
		return float64(x), true
	case *int64:
		if x != nil {
			return float64(*x), true
		}
	case int:
		return float64(x), true
	}
	return 0, false
}
