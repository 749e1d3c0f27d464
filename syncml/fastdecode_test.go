package syncml_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// decodeBoth decodes data with the fast reader on and off and fails t when
// the results differ (the error text, or the message).
func decodeBoth(t *testing.T, name string, data []byte, lim syncml.Limits) (fastOK bool) {
	t.Helper()
	var general, fast syncml.Message
	syncml.SetFastDecode(false)
	gerr := syncml.UnmarshalLimits(data, &general, lim)
	syncml.SetFastDecode(true)
	ferr := syncml.UnmarshalLimits(data, &fast, lim)
	if fmt.Sprint(gerr) != fmt.Sprint(ferr) {
		t.Fatalf("%s: error with the fast reader %v, without %v\ninput: %q", name, ferr, gerr, data)
	}
	if gerr == nil {
		if d := cmp.Diff(&general, &fast); d != "" {
			t.Fatalf("%s: the fast reader differs (-general +fast):\n%s\ninput: %q", name, d, data)
		}
	}
	return gerr == nil
}

// fastSeeds are messages in the shape the fast reader handles, and the
// corpus.
func fastSeeds(t *testing.T) map[string][]byte {
	seeds := map[string][]byte{
		"checkin": []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
			`<Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>DEV1</LocURI><LocName>n</LocName></Source>` +
			`<Meta><MaxMsgSize xmlns="syncml:metinf">10000</MaxMsgSize></Meta></SyncHdr><SyncBody>` +
			`<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>` +
			`<Alert><CmdID>3</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>` +
			`<Replace><CmdID>4</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>DEV1</Data></Item>` +
			`<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data/></Item></Replace>` +
			`<Status><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><TargetRef>a</TargetRef><TargetRef>b</TargetRef><SourceRef>c</SourceRef><Data>200</Data></Status>` +
			`<Results><CmdID>6</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Meta xmlns="syncml:metinf"><Format>int</Format><Size>3</Size></Meta><Item><Target><LocURI>x</LocURI></Target><Data>1</Data><MoreData/></Item></Results>` +
			`<Get><CmdID>7</CmdID><Lang>en</Lang><Item><Target><LocURI>./a</LocURI></Target></Item></Get>` +
			`<Exec><CmdID>8</CmdID><NoResp/><Correlator>c</Correlator><Item><Target><LocURI>./e</LocURI></Target></Item></Exec>` +
			`<Delete><CmdID>9</CmdID><Archive/><SftDel></SftDel><Item><Target><LocURI>./d</LocURI></Target></Item></Delete>` +
			`<Add><CmdID>10</CmdID><Meta><Format xmlns="syncml:metinf">node</Format></Meta><Item><Target><LocURI>./n</LocURI></Target></Item></Add>` +
			"<Final/></SyncBody></SyncML>\n"),
	}
	seeds["pretty"] = bytes.ReplaceAll(seeds["checkin"], []byte("><"), []byte(">\n  <"))
	// plain items first, so that limits first bite inside them
	seeds["items"] = []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><MsgID>1</MsgID></SyncHdr><SyncBody>` +
		`<Replace><CmdID>4</CmdID><Item><Source><LocURI>./a</LocURI></Source><Data>1</Data></Item><Item><Target><LocURI></LocURI></Target><Data></Data></Item>` +
		`<Item><Target><LocURI>./b</LocURI></Target></Item></Replace><Final/></SyncBody></SyncML>`)
	// a child repeated after the common shape (an error either way)
	for i, item := range []string{
		`<Item><Source><LocURI>a</LocURI></Source><Source><LocURI>b</LocURI></Source></Item>`,
		`<Item><Target><LocURI>a</LocURI></Target><Data>1</Data><Target><LocURI>b</LocURI></Target></Item>`,
		`<Item><Source><LocURI>a</LocURI></Source><Data>1</Data><Data>2</Data></Item>`,
		`<Item><Data>1</Data><Meta><Format>chr</Format></Meta><Data>2</Data></Item>`,
		`<Item><Source><LocURI>a</LocURI></Source><Target><LocURI>b</LocURI></Target><Data>1</Data><MoreData/></Item>`,
	} {
		seeds[fmt.Sprint("repeat", i)] = []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Replace><CmdID>4</CmdID>` + item + `</Replace></SyncBody></SyncML>`)
	}
	// no SyncHdr: the body first, as a Session keeps its commands
	seeds["noheader"] = []byte(`<SyncML><SyncBody><Get><CmdID>4</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item></Get>` +
		`<Status><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status></SyncBody></SyncML>`)
	seeds["noheader msft"] = []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM">` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd><Data msft:originalerror="0x86000002">404</Data></Status><Final/></SyncBody></SyncML>`)
	seeds["noheader empty"] = []byte(`<SyncML><SyncBody></SyncBody></SyncML>`)
	for _, m := range syncmltest.Messages() {
		seeds[m.Name] = m.Data
	}
	return seeds
}

// TestFastDecodeAgrees checks that Unmarshal's fast reader and the general
// one give the same result (message or error) for every corpus message and
// for many small changes to each (seeded, logged), under the default
// limits and under limits just around what the message needs.
func TestFastDecodeAgrees(t *testing.T) {
	defer syncml.SetFastDecode(syncml.SetFastDecode(true))
	const seed = 20261203
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	inserts := []string{"<", ">", "/", " ", "\n", "\r", "&", "x", "é", "\x00", "]", "\"", ":", "<Data>", "</Item>", "<!-- c -->", ` xmlns="syncml:metinf"`, ` a="b"`, "<Final/>", "<Cred>"}
	accepted := 0
	for name, data := range fastSeeds(t) {
		if decodeBoth(t, name, data, syncml.Limits{}) {
			accepted++
		}
		for _, lim := range []syncml.Limits{{MaxDepth: 5}, {MaxDepth: 6}, {MaxNamespaces: 1}, {MaxNamespaces: 2}, {MaxAttrs: 1}, {MaxTokens: len(data) - 1}, {MaxTokenBytes: len(data) / 2}, {MaxTokens: 40}} {
			decodeBoth(t, fmt.Sprintf("%s %+v", name, lim), data, lim)
		}
		if name == "checkin" || name == "pretty" || name == "items" {
			// every MaxTokens, MaxDepth and MaxNamespaces up to past what
			// the message needs
			for n := 1; n < 260; n++ {
				decodeBoth(t, fmt.Sprintf("%s MaxTokens %d", name, n), data, syncml.Limits{MaxTokens: n})
			}
			for n := 1; n < 10; n++ {
				decodeBoth(t, fmt.Sprintf("%s MaxDepth %d", name, n), data, syncml.Limits{MaxDepth: n})
				decodeBoth(t, fmt.Sprintf("%s MaxNamespaces %d", name, n), data, syncml.Limits{MaxNamespaces: n})
			}
		}
		for i := 0; i < 300; i++ {
			in := []byte(string(data))
			switch k := r.Intn(4); {
			case len(in) < 2:
			case k == 0: // delete a run
				a := r.Intn(len(in))
				b := min(len(in), a+1+r.Intn(8))
				in = append(in[:a:a], in[b:]...)
			case k == 1: // insert
				a := r.Intn(len(in))
				s := inserts[r.Intn(len(inserts))]
				in = append(in[:a:a], append([]byte(s), in[a:]...)...)
			case k == 2: // repeat a piece between two tags
				a, b := r.Intn(len(in)), r.Intn(len(in))
				a, b = min(a, b), max(a, b)
				a = strings.LastIndexByte(string(in[:a+1]), '<')
				if a >= 0 && b > a {
					in = append(in[:b:b], append(append([]byte(nil), in[a:b]...), in[b:]...)...)
				}
			default: // change a byte
				a := r.Intn(len(in))
				in[a] = inserts[r.Intn(len(inserts))][0]
			}
			decodeBoth(t, fmt.Sprintf("%s mutation %d", name, i), in, syncml.Limits{})
		}
	}
	if accepted < 30 {
		t.Errorf("only %d seeds decode", accepted)
	}
}
