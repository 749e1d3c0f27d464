// Package cmdwalk walks a tree of SyncML commands (the commands an Atomic
// or Sequence nests, and theirs) in document order with a stack of its
// own instead of the goroutine's: a tree that a program builds may be
// millions of levels deep, far deeper than a decoder gives, and a
// recursive walk of it would exhaust the goroutine stack, a fatal error
// and not a panic. It is shared by syncml, syncml/ddf, syncml/session
// (Queue's check of nested commands) and declaredconfig; each decides
// which commands to look into (those not met before, so that a command
// shared by many groups, or a group that contains itself, costs one
// visit).
package cmdwalk
