package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// checkNilMessage calls every public entry point that takes a
// *syncml.Message with a nil one (reading in where it reads bytes) and
// fails the test when one panics: a nil message is an error, never a
// crash. What the calls return is not checked here.
func checkNilMessage(t *testing.T, in []byte) {
	t.Helper()
	var m *syncml.Message
	calls := []struct {
		name string
		call func()
	}{
		{"Unmarshal", func() { _ = syncml.Unmarshal(in, m) }},
		{"UnmarshalLimits", func() { _ = syncml.UnmarshalLimits(in, m, syncml.Limits{}) }},
		{"UnmarshalOwned", func() { _ = syncml.UnmarshalOwned(bytes.Clone(in), m, syncml.Limits{}) }},
		{"Decoder.Decode", func() { _ = syncml.NewDecoder(bytes.NewReader(in)).Decode(m) }},
		{"Marshal", func() { _, _ = syncml.Marshal(m) }},
		{"AppendMessage", func() { _, _ = syncml.AppendMessage(in[:len(in):len(in)], m) }},
		{"MarshalIndent", func() { _, _ = syncml.MarshalIndent(m, "", " ") }},
		{"Encoder.Encode", func() { _ = syncml.NewEncoder(&bytes.Buffer{}).Encode(m) }},
		{"Message.Validate", func() { _ = m.Validate() }},
		{"Message.ValidateCmdIDs", func() { _ = m.ValidateCmdIDs() }},
		{"declaredconfig.ReadSummary", func() { _, _ = declaredconfig.ReadSummary(m) }},
		{"declaredconfig.ReadReply", func() { _, _ = declaredconfig.ReadReply(m) }},
		{"session.Client.Handle", func() {
			c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: session.NewMux()})
			if err != nil {
				panic(fmt.Sprintf("NewClient: %v", err))
			}
			if _, err := c.Start(context.Background(), "1"); err != nil {
				panic(fmt.Sprintf("Start: %v", err))
			}
			_, _ = c.Handle(context.Background(), m)
		}},
	}
	for _, c := range calls {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s of a nil *syncml.Message panics: %v", c.name, p)
				}
			}()
			c.call()
		}()
	}
}
