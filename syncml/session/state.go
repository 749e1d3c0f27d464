package session

import (
	"encoding/json"

	"github.com/windc-go/windc/syncml"
)

// stateVersion is the format of MarshalBinary's output.
const stateVersion = 1

// wireState is the serialized form of state: commands are kept as the
// canonical SyncML of a message body without header.
type wireState struct {
	V         int        `json:"v"`
	SessionID string     `json:"sid,omitempty"`
	InMsgID   string     `json:"in,omitempty"`
	OutMsgID  int        `json:"out,omitempty"`
	XMLNS     string     `json:"ns,omitempty"`
	VerDTD    string     `json:"dtd,omitempty"`
	VerProto  string     `json:"proto,omitempty"`
	Queue     string     `json:"queue,omitempty"`
	Sent      []wireSent `json:"sent,omitempty"`
	ReqHash   []byte     `json:"req,omitempty"`
	Reply     []byte     `json:"reply,omitempty"`
	Nonce     []byte     `json:"nonce,omitempty"`
	Ended     bool       `json:"ended,omitempty"`
	Cont      string     `json:"cont,omitempty"`
	MaxMsg    int        `json:"maxmsg,omitempty"`
	Started   bool       `json:"started,omitempty"`
}

type wireSent struct {
	MsgID  string `json:"m"`
	Body   string `json:"b"` // the command, then its Status and held Results
	NoResp bool   `json:"n,omitempty"`
	Status bool   `json:"s,omitempty"` // Body holds the Status after the command
}

func encodeCommands(cmds []syncml.Command) (string, error) {
	if len(cmds) == 0 {
		return "", nil
	}
	b, err := syncml.Marshal(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
	return string(b), err
}

func decodeCommands(s string) ([]syncml.Command, error) {
	if s == "" {
		return nil, nil
	}
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m.Body.Commands, nil
}

// MarshalBinary returns the Session's state (identity counters, queue,
// sent commands waiting for their Status, nonce, last reply), for a Store.
func (s *Session) MarshalBinary() ([]byte, error) {
	st := &s.st
	w := wireState{V: stateVersion, SessionID: st.SessionID, InMsgID: st.InMsgID, OutMsgID: st.OutMsgID,
		XMLNS: st.XMLNS, VerDTD: st.VerDTD, VerProto: st.VerProto,
		ReqHash: st.ReqHash, Reply: st.Reply, Nonce: st.Nonce, Ended: st.Ended,
		MaxMsg: st.MaxMsgSize, Started: st.Started}
	var err error
	if w.Queue, err = encodeCommands(st.Queue); err != nil {
		return nil, errorf("encode state: queue: %w", err)
	}
	if w.Cont, err = encodeCommands(st.Cont); err != nil {
		return nil, errorf("encode state: package rest: %w", err)
	}
	for _, e := range st.Sent.sent {
		cmds := []syncml.Command{e.Cmd}
		if e.Status != nil {
			cmds = append(cmds, e.Status)
		}
		for _, r := range e.Results {
			cmds = append(cmds, r)
		}
		body, err := encodeCommands(cmds)
		if err != nil {
			return nil, errorf("encode state: sent command: %w", err)
		}
		w.Sent = append(w.Sent, wireSent{MsgID: e.MsgID, Body: body, NoResp: e.NoResp, Status: e.Status != nil})
	}
	return json.Marshal(&w)
}

// UnmarshalBinary replaces the Session's state with one from
// MarshalBinary.
func (s *Session) UnmarshalBinary(b []byte) error {
	var w wireState
	if err := json.Unmarshal(b, &w); err != nil {
		return errorf("decode state: %w", err)
	}
	if w.V != stateVersion {
		return errorf("decode state: format %d, want %d", w.V, stateVersion)
	}
	st := state{SessionID: w.SessionID, InMsgID: w.InMsgID, OutMsgID: w.OutMsgID,
		XMLNS: w.XMLNS, VerDTD: w.VerDTD, VerProto: w.VerProto,
		ReqHash: w.ReqHash, Reply: w.Reply, Nonce: w.Nonce, Ended: w.Ended,
		MaxMsgSize: w.MaxMsg, Started: w.Started}
	var err error
	if st.Queue, err = decodeCommands(w.Queue); err != nil {
		return errorf("decode state: queue: %w", err)
	}
	if st.Cont, err = decodeCommands(w.Cont); err != nil {
		return errorf("decode state: package rest: %w", err)
	}
	for _, ws := range w.Sent {
		cmds, err := decodeCommands(ws.Body)
		if err != nil {
			return errorf("decode state: sent command: %w", err)
		}
		if len(cmds) == 0 {
			return errorf("decode state: empty sent command")
		}
		e := &sentCmd{MsgID: ws.MsgID, Cmd: cmds[0], NoResp: ws.NoResp}
		rest := cmds[1:]
		if ws.Status {
			var status *syncml.Status
			if len(rest) > 0 {
				status, _ = rest[0].(*syncml.Status)
			}
			if status == nil {
				return errorf("decode state: sent command: no Status")
			}
			e.Status, rest = status, rest[1:]
		}
		for _, r := range rest {
			res, ok := r.(*syncml.Results)
			if !ok {
				return errorf("decode state: sent command: %s where Results belong", r.ElementName())
			}
			e.Results = append(e.Results, res)
		}
		st.Sent.sent = append(st.Sent.sent, e)
	}
	s.st = st
	return nil
}
