// Command gen writes nodes_gen.go of package dmclient: one URI function per
// node of the DMClient DDF (roots excepted, which dmclient declares by
// hand), named after the node's path, with a parameter per dynamic segment.
//
// Usage (from go generate in dmclient):
//
//	go run ./internal/gen -ddf ../../shared/spec/ddf/DMClient.xml -o nodes_gen.go
package main
