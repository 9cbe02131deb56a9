package api

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// findNonFinite finds the first NaN or infinite number inside v (maps, structs by
// their JSON names, slices, pointers) and returns its JSON path under path. JSON cannot
// carry such a number, and a report would show it as a figure it is not.
func findNonFinite(v reflect.Value, path string) (string, bool) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			return findNonFinite(v.Elem(), path)
		}
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path, true
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			if p, ok := findNonFinite(v.MapIndex(k), join(fmt.Sprint(k))); ok {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false // bytes and json.RawMessage
		}
		for i := 0; i < v.Len(); i++ {
			if p, ok := findNonFinite(v.Index(i), path+"["+strconv.Itoa(i)+"]"); ok {
				return p, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			sub := join(name)
			if name == "" {
				sub = join(f.Name)
				if f.Anonymous {
					sub = path
				}
			}
			if p, ok := findNonFinite(v.Field(i), sub); ok {
				return p, true
			}
		}
	}
	return "", false
}
