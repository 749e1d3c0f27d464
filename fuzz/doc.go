// Package fuzz holds the module's cross-package fuzz targets. Their seed
// corpora live in testdata/fuzz; plain "go test ./fuzz" replays them, and
// "go test -fuzz=^FuzzName$ ./fuzz" explores.
package fuzz
