package session

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
)

// TestPlainlyEncodableFields fails when a type plainlyEncodable reads
// gains or loses a field: the new field may be one the encoder can fail
// on, which plainlyEncodable must then look at.
func TestPlainlyEncodableFields(t *testing.T) {
	cmd := []string{"CmdID", "NoResp", "Cred", "Meta", "Items"}
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{syncml.Get{}, []string{"CmdID", "NoResp", "Lang", "Cred", "Meta", "Items"}},
		{syncml.Add{}, cmd},
		{syncml.Replace{}, cmd},
		{syncml.Delete{}, []string{"CmdID", "NoResp", "Archive", "SftDel", "Cred", "Meta", "Items"}},
		{syncml.Exec{}, []string{"CmdID", "NoResp", "Cred", "Meta", "Correlator", "Items"}},
		{syncml.Item{}, []string{"Target", "Source", "Meta", "Data", "MoreData"}},
		{syncml.Location{}, []string{"LocURI", "LocName"}},
		{syncml.Data{}, []string{"Kind", "Value", "OriginalError", "Namespaces"}},
		{syncml.Meta{}, []string{"Format", "Type", "Mark", "Size", "Anchor", "Version", "NextNonce", "MaxMsgSize", "MaxObjSize", "EMI", "Mem", "FieldLevel"}},
	} {
		rt := reflect.TypeOf(tc.v)
		var got []string
		for i := range rt.NumField() {
			got = append(got, rt.Field(i).Name)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s fields changed: review plainlyEncodable (-known +now):\n%s", rt.Name(), d)
		}
	}
}

// TestPlainlyEncodable checks that the commands a server queues most
// are vouched for without encoding, that those it does not vouch for
// still get Queue's error, and that Queue refuses what cannot be encoded
// as before.
func TestPlainlyEncodable(t *testing.T) {
	link := []syncml.Command{
		&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Device/Vendor/MSFT/DMClient/Provider/P/LinkedEnrollment/DiscoveryEndpoint"},
			Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: syncml.Text("https://mdm.example/windc/discovery?a=1&b=<2>")}}},
		&syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Device/Vendor/MSFT/DMClient/Provider/P/LinkedEnrollment/Enroll"}}}},
		&syncml.Delete{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}}}},
		&syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./B"}, Data: syncml.Text("line 1\r\n\tline 2")}}},
	}
	if !plainlyEncodable(append(NewGets("./DevDetail/SwV", "./DevInfo/DevId"), link...)) {
		t.Error("Gets and plain commands not vouched for")
	}
	for _, bad := range []string{"\x01", "\xff", "\uFFFE"} {
		c := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./B"}, Data: syncml.Text("a" + bad)}}}
		if plainlyEncodable([]syncml.Command{c}) {
			t.Errorf("%q vouched for", bad)
		}
		if err := NewSession(nil).Queue(c); err == nil {
			t.Errorf("Queue of data %q: no error", bad)
		}
	}
	for _, c := range []syncml.Command{
		&syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./é"}}}}, // encodable, but not plain
		&syncml.Exec{Items: []syncml.Item{{Data: syncml.XML("<x/>")}}},
		&syncml.Get{Cred: &syncml.Cred{}},
		&syncml.Atomic{},
		(*syncml.Get)(nil),
	} {
		if plainlyEncodable([]syncml.Command{c}) {
			t.Errorf("%#v vouched for", c)
		}
	}
}

// Whatever plainlyEncodable vouches for, the encoder encodes.
func TestPropertyPlainlyEncodable(t *testing.T) {
	props := gopter.NewProperties(propSeed(t))
	vouched := 0
	props.Property("vouched-for commands encode", prop.ForAll(
		func(seed uint64) string {
			r := rand.New(rand.NewPCG(seed, seed>>7))
			cmds := make([]syncml.Command, 1+r.IntN(3))
			for i := range cmds {
				cmds[i] = randomCommand(r)
			}
			if !plainlyEncodable(cmds) {
				return ""
			}
			vouched++
			if _, err := syncml.AppendMessage(nil, &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}}); err != nil {
				return fmt.Sprintf("vouched for, but: %v", err)
			}
			return ""
		}, gen.UInt64()))
	props.TestingRun(t)
	if vouched == 0 {
		t.Error("no generated command vouched for: the property checked nothing")
	}
	t.Logf("%d command lists vouched for", vouched)
}

// randomString is mostly plain text, one in 40 with a byte or character
// that XML cannot carry or that plain excludes.
func randomString(r *rand.Rand) string {
	odd := []string{"\x00", "\x01", "\x1f", "\x7f", "\x80", "\xff", "é", "\uFFFE", "\uFFFF", "\U0001F600", "]]>", "<&>\"'", "\t\n\r", " "}
	var b strings.Builder
	n := r.IntN(12)
	at := -1
	if r.IntN(40) == 0 {
		at = r.IntN(n + 1)
	}
	for i := range n + 1 {
		if i == at {
			b.WriteString(odd[r.IntN(len(odd))])
		}
		if i < n {
			b.WriteByte(byte(' ' + r.IntN('~'-' '+1)))
		}
	}
	return b.String()
}

func randomMeta(r *rand.Rand) *syncml.Meta {
	if r.IntN(2) == 0 {
		return nil
	}
	m := &syncml.Meta{Format: randomString(r), Type: randomString(r), Mark: randomString(r), Size: randomString(r),
		Version: randomString(r), NextNonce: randomString(r), MaxMsgSize: randomString(r), MaxObjSize: randomString(r), FieldLevel: r.IntN(2) == 0}
	switch r.IntN(8) {
	case 0:
		m.Anchor = &syncml.Anchor{Last: randomString(r)}
	case 1:
		m.Mem = &syncml.Mem{FreeMem: randomString(r)}
	case 2:
		m.EMI = []string{randomString(r)}
	}
	return m
}

func randomCommand(r *rand.Rand) syncml.Command {
	items := make([]syncml.Item, r.IntN(3))
	for i := range items {
		it := &items[i]
		if r.IntN(4) != 0 {
			it.Target = &syncml.Location{LocURI: randomString(r), LocName: randomString(r)}
		}
		if r.IntN(3) == 0 {
			it.Source = &syncml.Location{LocURI: randomString(r)}
		}
		it.Meta = randomMeta(r)
		switch r.IntN(6) {
		case 0, 1:
			it.Data = syncml.Text(randomString(r))
		case 2:
			it.Data = syncml.CDATA(randomString(r))
		case 3:
			it.Data = &syncml.Data{Kind: syncml.DataText, Value: randomString(r), OriginalError: randomString(r)}
		case 4:
			it.Data = &syncml.Data{Kind: syncml.DataKind(r.IntN(5)), Value: randomString(r)}
		}
		it.MoreData = r.IntN(5) == 0
	}
	var cred *syncml.Cred
	if r.IntN(6) == 0 {
		cred = &syncml.Cred{Data: syncml.Text(randomString(r))}
	}
	id, meta := randomString(r), randomMeta(r)
	switch r.IntN(6) {
	case 0:
		return &syncml.Get{CmdID: id, NoResp: r.IntN(2) == 0, Lang: randomString(r), Cred: cred, Meta: meta, Items: items}
	case 1:
		return &syncml.Add{CmdID: id, Cred: cred, Meta: meta, Items: items}
	case 2:
		return &syncml.Replace{CmdID: id, Cred: cred, Meta: meta, Items: items}
	case 3:
		return &syncml.Delete{CmdID: id, Archive: r.IntN(2) == 0, SftDel: r.IntN(2) == 0, Cred: cred, Meta: meta, Items: items}
	case 4:
		return &syncml.Exec{CmdID: id, Cred: cred, Meta: meta, Correlator: randomString(r), Items: items}
	}
	return &syncml.Alert{CmdID: id, Items: items}
}

// plain reads words and bytes alike: every byte value, at every place
// of a string that spans whole words and a tail.
func TestPlain(t *testing.T) {
	base := []byte("./Vendor/MSFT/Policy/Config/X~ 0123")
	for n := 1; n <= len(base); n++ { // short, whole words, a tail of each size
		for c := range 256 {
			want := c >= ' ' && c <= '~' || c == '\t' || c == '\n' || c == '\r'
			for at := range n {
				b := append([]byte(nil), base[:n]...)
				b[at] = byte(c)
				if got := plain(string(b)); got != want {
					t.Fatalf("plain of %d bytes with %#x at %d: %v, want %v", n, c, at, got, want)
				}
			}
		}
	}
	if !plain("") || !plain(string(base)) {
		t.Error("plain text refused")
	}
}
