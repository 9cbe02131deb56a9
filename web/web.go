// Package web holds the bureau's map page (挂图作战), embedded in the binary so that
// nothing is fetched from the internet at run time.
package web

import "embed"

// Assets is the static content served under /map.
//
//go:embed map/*
var Assets embed.FS
