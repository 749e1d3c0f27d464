package dmclient

// nodes_gen.go is generated from the DMClient DDF, read in place from the
// shared spec folder beside the module (../../shared/spec/ddf/DMClient.xml
// from this directory); it is committed, so building never needs the file.
// Regenerate after a DDF update with "go generate ./dmclient".

//go:generate go run ./internal/gen -ddf ../../shared/spec/ddf/DMClient.xml -o nodes_gen.go
