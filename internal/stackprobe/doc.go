// Package stackprobe measures, for tests, the goroutine stack a server
// gives each connection while it holds a request: the Server of package
// session grows the stack of each connection's goroutine to 16 KiB in one
// step, and the tests of session and examples/dmserver check that it
// stays there.
package stackprobe
