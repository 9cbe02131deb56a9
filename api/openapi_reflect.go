package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"time"
)

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	timeType       = reflect.TypeFor[time.Time]()
)

// reflectSchema is the OpenAPI 3.0 schema of v's type as encoding/json writes and reads
// it: a struct's json names (omitempty ones not required, "-" left out), a pointer,
// slice or map nullable (nil encodes as null), json.RawMessage any value, time.Time an
// RFC 3339 string. The tags doc and format add a description and a format; the tag
// schema gives a member whose Go type says nothing (json.RawMessage) its schema: a
// component's name (or a JSON pointer below components/schemas; a nullable one is its
// own …OrNull component, as OpenAPI 3.0 has no nullable reference), or "object", with
// ",nullable" when it may be null. Reflected
// rather than written out so that a request type and its documentation cannot drift;
// a small function rather than a library because OpenAPI 3.0 spells null as
// nullable, which the JSON Schema generators (draft 2020-12) do not write.
func reflectSchema(v any) obj {
	reflectMu.Lock()
	defer reflectMu.Unlock()
	return schemaOfType(reflect.TypeOf(v))
}

// expanding are the struct types being expanded: a type met again inside itself (a
// project's history of projects) is a reference to its component, not expanded forever.
var (
	reflectMu sync.Mutex
	expanding = map[reflect.Type]bool{}
)

// componentName is the component schema a Go type is published as (reflectedResponses).
func componentName(t reflect.Type) (string, bool) {
	for name, v := range reflectedResponses {
		if reflect.TypeOf(v) == t {
			return name, true
		}
	}
	return "", false
}

// requestSchema is reflectSchema for a request body: the handler checks what is
// required itself (the caller adds "required"), and a member left out or null is unset.
func requestSchema(v any) obj {
	s := reflectSchema(v)
	var strip func(obj)
	strip = func(s obj) {
		delete(s, "required")
		delete(s, "nullable")
		if p, ok := s["properties"].(obj); ok {
			for _, v := range p {
				strip(v.(obj))
			}
		}
		if it, ok := s["items"].(obj); ok {
			strip(it)
		}
	}
	strip(s)
	return s
}

func schemaOfType(t reflect.Type) obj {
	switch {
	case t == rawMessageType:
		return obj{}
	case t == timeType:
		return obj{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOfType(t.Elem())
		if _, ok := s["$ref"]; ok || len(s) == 0 {
			return s
		}
		s["nullable"] = true
		return s
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.Slice, reflect.Array:
		return obj{"type": "array", "items": schemaOfType(t.Elem()), "nullable": t.Kind() == reflect.Slice}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": schemaOfType(t.Elem()), "nullable": true}
	case reflect.Interface:
		return obj{}
	case reflect.Struct:
		if expanding[t] {
			if name, ok := componentName(t); ok {
				return sref(name)
			}
			return obj{"type": "object"}
		}
		expanding[t] = true
		defer delete(expanding, t)
		props, required := obj{}, []string{}
		for f := range t.Fields() {
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				emb := schemaOfType(f.Type)
				if p, ok := emb["properties"].(obj); ok {
					for k, v := range p {
						props[k] = v
					}
					if r, ok := emb["required"].([]string); ok {
						required = append(required, r...)
					}
				}
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := schemaOfType(f.Type)
			if ts := tagSchema(f.Tag.Get("schema")); ts != nil {
				s = ts
			}
			omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			if omit {
				// Omitted rather than null when empty.
				delete(s, "nullable")
			} else {
				required = append(required, name)
			}
			if d := f.Tag.Get("doc"); d != "" {
				s["description"] = d
			}
			if fm := f.Tag.Get("format"); fm != "" {
				s["format"] = fm
			}
			props[name] = s
		}
		out := obj{"type": "object", "properties": props}
		if len(required) > 0 {
			out["required"] = required
		}
		return out
	}
	return obj{}
}

// tagSchema is the schema a field's schema tag names.
func tagSchema(tag string) obj {
	name, opt, _ := strings.Cut(tag, ",")
	switch name {
	case "":
		return nil
	case "object":
		return obj{"type": "object", "nullable": opt == "nullable"}
	}
	return sref(name)
}
