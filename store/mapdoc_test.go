package store_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/store"
)

// TestMapDocLabels (issue 14): docs/map.md's legend shows each category with the
// colour, Chinese and English labels that /v1/vocabulary serves.
func TestMapDocLabels(t *testing.T) {
	pool := dbtest.New(t)
	v, err := store.GetVocabulary(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/map.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.IdleCategories {
		row := "| `" + c.Colour + "` "
		want := " | " + c.Zh + " | `" + c.Code + "` | " + c.En + " |"
		found := false
		for _, line := range strings.Split(string(doc), "\n") {
			if strings.HasPrefix(line, row) && strings.HasSuffix(line, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("docs/map.md has no legend row %s…%s", row, want)
		}
	}
}
