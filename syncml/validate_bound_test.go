package syncml

import (
	"errors"
	"strconv"
	"strings"
	"testing"
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
		err := (&Message{Header: validHeader(), Body: Body{Commands: []Command{sharedTree(n)}}}).Validate()
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

// addReplaceMessage is an Atomic whose Add and Replace carry n Items
// each, every 1000th Replace naming the node of an Add item in another
// spelling (./Device/Vendor/a/i for ./Vendor/a/i), decoded.
func addReplaceMessage(tb testing.TB, n int) *Message {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>` +
		`<Atomic><CmdID>1</CmdID><Add><CmdID>2</CmdID>`)
	for i := range n {
		b.WriteString("<Item><Target><LocURI>./Vendor/a/" + strconv.Itoa(i) + "</LocURI></Target></Item>")
	}
	b.WriteString(`</Add><Replace><CmdID>3</CmdID>`)
	for i := range n {
		uri := "./Vendor/b/" + strconv.Itoa(i)
		if i%1000 == 0 {
			uri = "./Device/Vendor/a/" + strconv.Itoa(i) // the same node as the Add's ./Vendor/a/i
		}
		b.WriteString("<Item><Target><LocURI>" + uri + "</LocURI></Target></Item>")
	}
	b.WriteString(`</Replace></Atomic></SyncBody></SyncML>`)
	var m Message
	if err := Unmarshal([]byte(b.String()), &m); err != nil {
		tb.Fatal(err)
	}
	return &m
}

// TestValidateAtomicAddReplaceMany: an Atomic whose Add and Replace carry
// 8,000 Items each gets a violation for each Replace of an added node,
// however it is spelled, and none for the others. Its speed (linear: the
// added nodes are looked up in a map; before, each Replace item was
// compared with every Add item, 15 s at 40,000) is
// BenchmarkValidateAtomicAddReplace's.
func TestValidateAtomicAddReplaceMany(t *testing.T) {
	const n = 8_000
	err := addReplaceMessage(t, n).Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate: %v", err)
	}
	if len(ve.Violations) != n/1000 {
		t.Fatalf("%d violations, want %d: %v", len(ve.Violations), n/1000, ve.Violations[0])
	}
	for i, v := range ve.Violations {
		want := "./Device/Vendor/a/" + strconv.Itoa(1000*i) + " is added earlier in the same Atomic"
		if v.Rule != "atomic-add-replace" || v.Path != "SyncBody/Atomic[1]/Replace[2]" || v.CmdID != "3" || v.Detail != want {
			t.Errorf("violation %d: %v, want atomic-add-replace at SyncBody/Atomic[1]/Replace[2]: %s", i, v, want)
		}
	}
}

// BenchmarkValidateAtomicAddReplace: Validate of an Atomic of n Add and n
// Replace Items; ns/op grows with n (linear), not with n squared.
func BenchmarkValidateAtomicAddReplace(b *testing.B) {
	for _, n := range []int{1_000, 8_000, 40_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			m := addReplaceMessage(b, n)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.Validate()
			}
		})
	}
}
