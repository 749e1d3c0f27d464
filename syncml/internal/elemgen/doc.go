// Command elemgen writes the code that reads, writes and generates the
// SyncML commands from their one description: the struct types of
// syncml/command.go. A struct type with a CmdID field is a command; its
// fields, in order, are its child elements in DTD order, each named as
// its field (Items: the repeated Item, Commands: the nested commands of
// Atomic and Sequence) and of a kind given by its Go type:
//
//	string    a leaf element, at most once (written when not empty)
//	bool      an empty flag element, at most once
//	[]string  a repeated leaf element
//	*Cred, *Meta, *Data, *Chal  that structure, at most once
//	[]Item    the repeated Item
//	[]Command nested commands (and elements unknown there)
//
// Adding a child element of one of these kinds to a command is a field in
// command.go and `go generate ./syncml`; TestGenerated fails until the
// output is written again.
//
// Run from the syncml directory (go generate does); it writes
// commands_gen.go, commands_gen_test.go and syncmltest/commands_gen.go.
package main
