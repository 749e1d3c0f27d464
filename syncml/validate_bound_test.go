package syncml

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// sharedTree returns n Sequences, each holding the next twice, the
// innermost holding a Get twice: 2^(n+1) places of the Get, and an
// unbounded number of violations for a walk that visits each place.
func sharedTree(n int) Command {
	var c Command = &Get{CmdID: "2", Items: target("./a")}
	for range n {
		c = &Sequence{CmdID: "1", Commands: []Command{c, c}}
	}
	return c
}

// TestValidateShared: a tree that shares commands, which only a program
// builds, is checked up to maxViolations violations, then one "truncated"
// violation says the rest are not listed; it is not walked further.
// Before the bound, 14 levels gave 49,151 violations and 40 levels ran
// for ever.
func TestValidateShared(t *testing.T) {
	for _, n := range []int{14, 40} {
		start := time.Now()
		err := (&Message{Header: validHeader(), Body: Body{Commands: []Command{sharedTree(n)}}}).Validate()
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%d levels: Validate took %v", n, d)
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%d levels: Validate: %v", n, err)
		}
		if len(ve.Violations) != maxViolations+1 {
			t.Fatalf("%d levels: %d violations, want %d", n, len(ve.Violations), maxViolations+1)
		}
		for _, v := range ve.Violations[:maxViolations] {
			if v.Rule == "truncated" {
				t.Fatalf("%d levels: %v before the end", n, v)
			}
		}
		if last := ve.Violations[maxViolations]; last.Rule != "truncated" {
			t.Errorf("%d levels: last violation %v, want the rule truncated", n, last)
		}
	}
}

// TestValidateManyViolations: maxViolations violations are all listed,
// with nothing more; one more gives the first maxViolations and a
// "truncated" violation at the place of the one not listed.
func TestValidateManyViolations(t *testing.T) {
	for _, n := range []int{maxViolations, maxViolations + 1} {
		cmds := make([]Command, n)
		for i := range cmds {
			cmds[i] = &Get{CmdID: strconv.Itoa(i + 1)} // no Item: one "items" violation
		}
		err := (&Message{Header: validHeader(), Body: Body{Commands: cmds}}).Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%d Gets: Validate: %v", n, err)
		}
		if n == maxViolations {
			if len(ve.Violations) != n || ve.Violations[n-1].Rule != "items" {
				t.Errorf("%d Gets: %d violations, the last %v; want %d, the last items", n, len(ve.Violations), ve.Violations[len(ve.Violations)-1], n)
			}
			continue
		}
		want := Violation{Path: "SyncBody/Get[" + strconv.Itoa(n) + "]", CmdID: strconv.Itoa(n), Rule: "truncated"}
		if len(ve.Violations) != maxViolations+1 {
			t.Fatalf("%d Gets: %d violations, want %d", n, len(ve.Violations), maxViolations+1)
		}
		got := ve.Violations[maxViolations]
		got.Detail = ""
		if got != want || ve.Violations[maxViolations-1].Rule != "items" {
			t.Errorf("%d Gets: last two violations %v, %v; want items, then %v", n, ve.Violations[maxViolations-1], ve.Violations[maxViolations], want)
		}
	}
}
