package store

// SetMaxTileFeatures sets the bound on features per layer and tile for a test; the
// returned function restores it.
func SetMaxTileFeatures(n int) (restore func()) {
	old := maxTileFeatures
	maxTileFeatures = n
	return func() { maxTileFeatures = old }
}

// LabelJoin is the label layers' join giving l.lp, the label point in Web Mercator,
// for a feature aliased t.
const LabelJoin = labelJoin
