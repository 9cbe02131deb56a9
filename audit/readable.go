package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/store"
)

// The dossier (一宗一档) is read by people: a version, an event or an audit row is
// written as "名称 title: value" pairs in the collection's order, and a later version or
// an update as the fields that changed ("old → new"), not as raw JSON.

// parcelTitles are the parcels' property titles (catalog), by name, in order.
var parcelTitles, parcelOrder = func() (map[string]string, []string) {
	c, _ := catalog.ByID("parcels")
	titles := map[string]string{}
	var order []string
	for _, p := range c.Properties {
		titles[p.Name] = p.Title
		order = append(order, p.Name)
	}
	return titles, order
}()

// fields decodes a JSON object into its members (numbers kept as written).
func fields(raw json.RawMessage) map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case json.Number:
		return x.String()
	case map[string]any:
		// A nested object (an event's payload): its members as key=value.
		var parts []string
		for _, k := range keysInOrder(x) {
			parts = append(parts, k+"="+showValue(x[k]))
		}
		return strings.Join(parts, ", ")
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, showValue(e))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// keysInOrder lists m's keys: the parcels' properties in catalogue order, then the
// rest sorted.
func keysInOrder(m map[string]any) []string {
	var out, rest []string
	for _, k := range parcelOrder {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for k := range m {
		if _, known := parcelTitles[k]; !known {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func title(k string) string {
	if t, ok := parcelTitles[k]; ok {
		return t
	}
	return k
}

// readable writes an object's non-empty members as "title: value" pairs.
func readable(raw json.RawMessage) string {
	m := fields(raw)
	var parts []string
	for _, k := range keysInOrder(m) {
		if m[k] == nil {
			continue
		}
		parts = append(parts, title(k)+": "+showValue(m[k]))
	}
	return strings.Join(parts, "; ")
}

// changes writes the members that differ between two objects as "title: old → new";
// keys in skip (the version number, validity) are left out.
func changes(oldRaw, newRaw json.RawMessage, skip ...string) string {
	o, n := fields(oldRaw), fields(newRaw)
	all := map[string]any{}
	for k, v := range o {
		all[k] = v
	}
	for k, v := range n {
		all[k] = v
	}
	for _, k := range skip {
		delete(all, k)
	}
	var parts []string
	for _, k := range keysInOrder(all) {
		a, b := showValue(o[k]), showValue(n[k])
		if a != b {
			parts = append(parts, fmt.Sprintf("%s: %s → %s", title(k), a, b))
		}
	}
	if len(parts) == 0 {
		return "无字段变化 no field changed"
	}
	return strings.Join(parts, "; ")
}

// eventLabels are the event types' Chinese names (/v1/vocabulary).
func eventLabels(ctx context.Context, pool *pgxpool.Pool) (map[string]string, error) {
	v, err := store.GetVocabulary(ctx, pool)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range v.EventTypes {
		out[e.Code] = e.Zh
	}
	return out, nil
}
