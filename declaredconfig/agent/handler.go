package agent

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// ServeCommand implements session.Handler for the DeclaredConfiguration
// CSP, with one status per item, as a Windows device answers:
//
//	Document            Add 200 (418 if the document exists), Replace 200,
//	                    both 400 when the syntax check fails (the error is
//	                    in this reply; the apply comes later, by the
//	                    worker; a document of a scenario that does not
//	                    fit the Host fails it: declaredconfig.HostError),
//	                    418 when the DocID is taken under another
//	                    Host of the scope, 420 beyond Config.MaxDocuments
//	                    or Config.MaxSummaryBytes,
//	                    413 beyond Config.Limits or Config.MaxSettings;
//	                    Get 200 with the document; Delete 200 (settings
//	                    stay).
//	Results             Get 200 with the last result; 404 before there is one.
//	Properties/Abandoned Add/Replace 0 or 1, Get, Delete (back to 0).
//	BulkVariables/Value Add/Replace an InstanceBlob (400 if it does not
//	                    read or an Instance gives a variable twice, 413 if
//	                    it is beyond Config.Limits or the template it fills
//	                    would have more than Config.MaxSettings settings),
//	                    Get, Delete.
//	RefreshInterval     Get (240 by default), Add/Replace (minutes, at least
//	                    30 and at most 153722867, the most a time.Duration
//	                    holds, else 400), Delete (back to 240).
//	ConflictResolution  Get (404 until set), Add/Replace 0 or 1, Delete.
//	Documents, Results  Get lists the DocIDs (format node).
//	Documents/{DocID}   Get lists its children; Delete deletes the document.
//	…/Properties, …/BulkVariables Get lists the leaf (Abandoned, Value).
//
// The values of RefreshInterval, Abandoned and ConflictResolution (format
// int) read as declaredconfig.ParseInt reads an int: " 1", "01" and "0x1"
// are 1, a value that is not an int is refused with 400.
//
// A document or instance data refused with 400 or 413 is told as an
// EventError with the reason (the server sees only the code).
//
// Add of an interior node the DDF gives Add (Host, Complete, Inventory,
// BulkTemplate, Documents, Documents/{DocID}, Properties, BulkVariables)
// is 418 when it exists; a Documents/{DocID} that does not is 200: it is
// the node its Document goes into, and nothing is held until that comes.
// A node of a document that does not exist is 404, as is a node the CSP
// does not have; a command the node does not take (Exec, Copy, Add of a
// Results node…) is 405. Inside an Atomic the response carries an Undo
// that puts back what the command changed, and undoes an apply of its
// document that the worker made meanwhile. A state that cannot be saved
// makes the command fail with 500 and changes nothing, every time (the
// server learns of each command that was not kept); the EventError that
// tells of it is told once while the store fails alike, whoever's save
// failed (a command's, the worker's: see Run).
func (a *Agent) ServeCommand(ctx context.Context, r *session.Request) session.Response {
	resp := a.serve(ctx, r)
	sameCode(&resp)
	return resp
}

func (a *Agent) serve(ctx context.Context, r *session.Request) session.Response {
	var n notes
	defer a.flush(&n)
	a.mu.Lock()
	defer a.mu.Unlock()
	defer a.queue(&n) // under mu: told before what follows from it
	var old *Snapshot // the state before, to put back; a Get changes nothing
	if r.Command.ElementName() != "Get" {
		old = a.st.clone()
	}
	items := r.Command.ItemList()
	if len(items) == 0 {
		return session.Response{Code: syncml.StatusBadRequest}
	}
	var resp session.Response
	changed := false
	for _, it := range items {
		code, res, ch := a.item(r.Command, it, &n)
		resp.ItemCodes = append(resp.ItemCodes, code)
		if res != nil {
			resp.Results = append(resp.Results, *res)
		}
		changed = changed || ch
	}
	if !changed {
		return resp
	}
	if err := a.save(ctx, old); err != nil {
		// 500 every time, as each command is lost; the store's
		// failure is told once while it fails alike (storeFailed).
		n = notes{}
		if tell, note := a.storeFailed(err); tell {
			n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventError, Err: err,
				Detail: "a command is refused (500): nothing it changed is kept; commands that fail alike are not told again until a save succeeds" + note})
		}
		for i := range resp.ItemCodes {
			resp.ItemCodes[i] = syncml.StatusCommandFailed
		}
		resp.Results = nil
		return resp
	}
	a.signal()
	if r.Atomic {
		resp.Undo = a.undo(old, a.st.clone())
	}
	return resp
}

// item carries out one item: its status, a Results item for a Get, and
// whether the state changed.
func (a *Agent) item(cmd syncml.Command, it syncml.Item, n *notes) (syncml.StatusCode, *syncml.Item, bool) {
	if it.Target == nil || it.Target.LocURI == "" {
		return syncml.StatusBadRequest, nil, false
	}
	target := it.Target.LocURI
	verb := cmd.ElementName()
	switch verb {
	case "Add", "Replace", "Get", "Delete":
	default:
		return syncml.StatusCommandNotAllowed, nil, false
	}
	value := ""
	if it.Data != nil {
		value = it.Data.Value
	}
	u, err := declaredconfig.ParseURI(target)
	if err != nil {
		return a.interior(verb, target, n)
	}
	result := func(v, format string) *syncml.Item {
		return &syncml.Item{Source: &syncml.Location{LocURI: target}, Meta: &syncml.Meta{Format: format, Type: "text/plain"}, Data: syncml.Text(v)}
	}
	switch u.Node {
	case declaredconfig.NodeRefreshInterval:
		switch verb {
		case "Get":
			m := a.st.RefreshInterval
			if m == 0 {
				m = declaredconfig.DefaultRefreshInterval
			}
			return syncml.StatusOK, result(strconv.FormatUint(uint64(m), 10), "int"), false
		case "Delete":
			a.st.RefreshInterval = 0
			return syncml.StatusOK, nil, true
		}
		m, err := declaredconfig.ParseInt(value)
		if err != nil || m < declaredconfig.MinRefreshInterval || uint64(m) > maxRefreshMinutes {
			return syncml.StatusBadRequest, nil, false
		}
		a.st.RefreshInterval = uint32(m)
		return syncml.StatusOK, nil, true
	case declaredconfig.NodeConflictResolution:
		switch verb {
		case "Get":
			if a.st.ConflictResolution == "" {
				return syncml.StatusNotFound, nil, false
			}
			return syncml.StatusOK, result(a.st.ConflictResolution, "int"), false
		case "Delete":
			if a.st.ConflictResolution == "" {
				return syncml.StatusNotFound, nil, false
			}
			a.st.ConflictResolution = ""
			return syncml.StatusOK, nil, true
		}
		v, ok := bit(value)
		if !ok {
			return syncml.StatusBadRequest, nil, false
		}
		a.st.ConflictResolution = v
		return syncml.StatusOK, nil, true
	}
	i := a.find(u)
	if u.Node == declaredconfig.NodeDocument && (verb == "Add" || verb == "Replace") {
		return a.put(u, target, it.Data, value, verb == "Add", i, n)
	}
	if i < 0 {
		return syncml.StatusNotFound, nil, false
	}
	rec := &a.st.Documents[i]
	docID := u.DocID
	if d := a.doc(u); d != nil {
		docID = d.ID
	}
	switch u.Node {
	case declaredconfig.NodeDocument:
		if verb == "Get" {
			return syncml.StatusOK, result(rec.Document, "chr"), false
		}
		a.st.Documents = append(a.st.Documents[:i], a.st.Documents[i+1:]...)
		delete(a.legacy, key(u))
		delete(a.docs, key(u))
		n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventDeleted, DocID: docID, URI: target, Detail: "its settings stay"})
		return syncml.StatusOK, nil, true
	case declaredconfig.NodeResults:
		if verb != "Get" {
			return syncml.StatusCommandNotAllowed, nil, false
		}
		if rec.Result == "" {
			return syncml.StatusNotFound, nil, false
		}
		return syncml.StatusOK, result(rec.Result, "chr"), false
	case declaredconfig.NodeAbandoned:
		switch verb {
		case "Get":
			v := "0"
			if rec.Abandoned {
				v = "1"
			}
			return syncml.StatusOK, result(v, "int"), false
		case "Delete":
			value = "0"
		}
		v, ok := bit(value)
		if !ok {
			return syncml.StatusBadRequest, nil, false
		}
		was := rec.Abandoned
		rec.Abandoned = v == "1"
		switch {
		case rec.Abandoned && !was:
			n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventAbandoned, DocID: docID, URI: rec.URI, Detail: "its settings stay and are no longer kept"})
		case !rec.Abandoned && was:
			rec.Pending = true
			n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventUnabandoned, DocID: docID, URI: rec.URI, Detail: "applied again"})
		}
		return syncml.StatusOK, nil, rec.Abandoned != was
	case declaredconfig.NodeBulkVariables:
		switch verb {
		case "Get":
			if rec.InstanceData == "" {
				return syncml.StatusNotFound, nil, false
			}
			return syncml.StatusOK, result(rec.InstanceData, "chr"), false
		case "Delete":
			if rec.InstanceData == "" {
				return syncml.StatusNotFound, nil, false
			}
			rec.InstanceData = ""
			return syncml.StatusOK, nil, true
		}
		var ib declaredconfig.InstanceBlob
		err := declaredconfig.UnmarshalLimits([]byte(value), &ib, a.cfg.Limits)
		if err == nil {
			err = variableTwice(&ib)
		}
		var text []byte
		if err == nil {
			text, err = ib.MarshalText()
		}
		if err != nil {
			code := refusalCode(err)
			n.event(refused(a.cfg.Clock.Now(), docID, target, "instance data", code, err))
			return code, nil, false
		}
		if d := a.doc(u); d != nil {
			if k := settingCount(d, &ib, u.Host); k > a.cfg.MaxSettings {
				err := pkg.LimitCount("MaxSettings", int64(a.cfg.MaxSettings), int64(k), target)
				n.event(refused(a.cfg.Clock.Now(), docID, target, "instance data", syncml.StatusRequestEntityTooLarge, err))
				return syncml.StatusRequestEntityTooLarge, nil, false
			}
		}
		// New instance data is a new request: in process until applied.
		rec.InstanceData = string(text)
		rec.Pending, rec.State = true, declaredconfig.StateConfigRequest
		return syncml.StatusOK, nil, true
	}
	return syncml.StatusNotFound, nil, false
}

// put carries out an Add or Replace of a Document node: the syntax check
// now, the apply later.
func (a *Agent) put(u declaredconfig.URI, target string, data *syncml.Data, text string, add bool, i int, n *notes) (syncml.StatusCode, *syncml.Item, bool) {
	if add && i >= 0 || i < 0 && a.idTaken(u) {
		return syncml.StatusAlreadyExists, nil, false
	}
	if i < 0 && len(a.st.Documents) >= a.cfg.MaxDocuments {
		return syncml.StatusDeviceFull, nil, false
	}
	d, err := a.dataDocument(u, data, text)
	if err != nil {
		code := refusalCode(err)
		n.event(refused(a.cfg.Clock.Now(), u.DocID, target, "document", code, err))
		return code, nil, false
	}
	if !a.summaryFits(d, i) {
		return syncml.StatusDeviceFull, nil, false
	}
	var kept *declaredconfig.InstanceBlob // the instance data a new version keeps
	if i >= 0 && a.st.Documents[i].InstanceData != "" {
		kept = &declaredconfig.InstanceBlob{}
		if declaredconfig.UnmarshalLimits([]byte(a.st.Documents[i].InstanceData), kept, a.cfg.Limits) != nil {
			kept = nil
		}
	}
	if k := settingCount(d, kept, u.Host); k > a.cfg.MaxSettings {
		err := pkg.LimitCount("MaxSettings", int64(a.cfg.MaxSettings), int64(k), target)
		n.event(refused(a.cfg.Clock.Now(), u.DocID, target, "document", syncml.StatusRequestEntityTooLarge, err))
		return syncml.StatusRequestEntityTooLarge, nil, false
	}
	canon, err := d.MarshalText()
	if err != nil {
		return syncml.StatusBadRequest, nil, false
	}
	a.st.Seq++
	rec := DocumentRecord{URI: target, Document: string(canon), State: requested(u.Host), Seq: a.st.Seq, Pending: true}
	if i >= 0 {
		old := a.st.Documents[i]
		// The same document under a new version: what was applied and
		// the last result stay until the worker applies the new one.
		rec.Seq, rec.Abandoned, rec.InstanceData = old.Seq, old.Abandoned, old.InstanceData
		rec.Result, rec.ResultChecksum, rec.Settings = old.Result, old.ResultChecksum, old.Settings
		rec.Leftover, rec.Intents = old.Leftover, old.Intents // nodes set that Settings does not name
		// The settings stay those of the version last applied: New
		// holds them to that version's elements.
		if rec.Applied = old.Applied; rec.Applied == "" && len(old.Settings) > 0 {
			rec.Applied = old.Document
		}
		if rec.Applied == rec.Document {
			rec.Applied = ""
		}
		a.st.Documents[i] = rec
	} else {
		a.st.Documents = append(a.st.Documents, rec)
	}
	delete(a.legacy, key(u)) // a version the checks refuse, replaced
	a.docs[key(u)] = d
	n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventAccepted, DocID: d.ID, URI: target, State: stateText(rec.State),
		Detail: "version " + d.Checksum + ", " + d.Scenario})
	return syncml.StatusOK, nil, true
}

// idTaken reports whether a document of u's scope under another Host has
// u's DocID: the CSP has one document per id, and the summary names a
// document by its id alone.
func (a *Agent) idTaken(u declaredconfig.URI) bool {
	for _, r := range a.st.Documents {
		o, err := a.parse(r.URI)
		if err == nil && o.Scope == u.Scope && o.Host != u.Host && declaredconfig.EqualDocID(o.DocID, u.DocID) {
			return true
		}
	}
	return false
}

// interior answers for a node of the CSP that is not a leaf.
func (a *Agent) interior(verb, target string, n *notes) (syncml.StatusCode, *syncml.Item, bool) {
	l, err := syncml.ParseLocURI(target)
	seg := l.Segments
	if err != nil || len(seg) < 3 || !strings.EqualFold(seg[0], "Vendor") || !strings.EqualFold(seg[1], "MSFT") ||
		!strings.EqualFold(seg[2], "DeclaredConfiguration") {
		return syncml.StatusNotFound, nil, false
	}
	scope := declaredconfig.Device
	if l.Scope == syncml.ScopeUser {
		scope = declaredconfig.User
	}
	list := func(v string) *syncml.Item {
		return &syncml.Item{Source: &syncml.Location{LocURI: target}, Meta: &syncml.Meta{Format: "node"}, Data: syncml.Text(v)}
	}
	if len(seg) <= 5 {
		var children string
		switch {
		case len(seg) == 3 && scope == declaredconfig.User:
			children = "Host"
		case len(seg) == 3:
			children = "Host/ManagementServiceConfiguration"
		case len(seg) == 4 && strings.EqualFold(seg[3], "Host"):
			children = "Complete/Inventory/BulkTemplate"
		case len(seg) == 4 && strings.EqualFold(seg[3], "ManagementServiceConfiguration") && scope == declaredconfig.Device:
			children = "RefreshInterval/ConflictResolution"
		case len(seg) == 5 && strings.EqualFold(seg[3], "Host") && hostOf(seg[4]) != 0:
			children = "Documents/Results"
		default:
			return syncml.StatusNotFound, nil, false
		}
		if verb == "Add" && (len(seg) == 4 && strings.EqualFold(seg[3], "Host") || len(seg) == 5) {
			// Host and its Complete, Inventory, BulkTemplate: the
			// DDF allows Add, and they always exist.
			return syncml.StatusAlreadyExists, nil, false
		}
		if verb != "Get" {
			return syncml.StatusCommandNotAllowed, nil, false
		}
		return syncml.StatusOK, list(children), false
	}
	if len(seg) > 8 || !strings.EqualFold(seg[3], "Host") {
		return syncml.StatusNotFound, nil, false
	}
	host := hostOf(seg[4])
	results := strings.EqualFold(seg[5], "Results")
	if host == 0 || !results && !strings.EqualFold(seg[5], "Documents") {
		return syncml.StatusNotFound, nil, false
	}
	if results && verb != "Get" {
		return syncml.StatusCommandNotAllowed, nil, false
	}
	if len(seg) == 6 {
		if verb == "Add" && !results {
			return syncml.StatusAlreadyExists, nil, false
		}
		if verb != "Get" {
			return syncml.StatusCommandNotAllowed, nil, false
		}
		var ids []string
		for _, r := range a.st.Documents {
			u, err := a.parse(r.URI)
			if err == nil && u.Scope == scope && u.Host == host && (!results || r.Result != "") {
				ids = append(ids, u.DocID)
			}
		}
		return syncml.StatusOK, list(strings.Join(ids, "/")), false
	}
	u := declaredconfig.URI{Scope: scope, Host: host, DocID: seg[6], Node: declaredconfig.NodeDocument}
	i := a.find(u)
	if len(seg) == 7 && verb == "Add" {
		// The node a Document goes into: 418 when it exists (or its
		// DocID is taken under another Host); else it is made, and
		// holds nothing until its Document comes, which the agent
		// needs no record for.
		if i >= 0 || a.idTaken(u) {
			return syncml.StatusAlreadyExists, nil, false
		}
		return syncml.StatusOK, nil, false
	}
	if i < 0 || results && a.st.Documents[i].Result == "" {
		return syncml.StatusNotFound, nil, false
	}
	if len(seg) == 8 {
		// Documents/{DocID}/Properties (Complete) or /BulkVariables
		// (BulkTemplate): their one leaf.
		var child string
		switch {
		case results:
		case host == declaredconfig.Complete && strings.EqualFold(seg[7], "Properties"):
			child = "Abandoned"
		case host == declaredconfig.BulkTemplate && strings.EqualFold(seg[7], "BulkVariables"):
			child = "Value"
		}
		switch {
		case child == "":
			return syncml.StatusNotFound, nil, false
		case verb == "Add":
			return syncml.StatusAlreadyExists, nil, false
		case verb != "Get":
			return syncml.StatusCommandNotAllowed, nil, false
		}
		return syncml.StatusOK, list(child), false
	}
	switch {
	case verb == "Get":
		children := "Document"
		if !results && host == declaredconfig.Complete {
			children = "Document/Properties"
		} else if !results && host == declaredconfig.BulkTemplate {
			children = "Document/BulkVariables"
		}
		return syncml.StatusOK, list(children), false
	case verb == "Delete" && !results:
		code, _, ch := a.item(&syncml.Delete{}, syncml.Item{Target: &syncml.Location{LocURI: a.st.Documents[i].URI}}, n)
		return code, nil, ch
	}
	return syncml.StatusCommandNotAllowed, nil, false
}

// sameCode sets the command's Code when every item has the same one, so
// that a session that writes one Status for the command (as it does when
// the item codes agree) carries it.
func sameCode(r *session.Response) {
	for _, c := range r.ItemCodes {
		if c != r.ItemCodes[0] {
			return
		}
	}
	if len(r.ItemCodes) > 0 {
		r.Code = r.ItemCodes[0]
	}
}

// variableTwice reports an Instance of ib that gives a variable more
// than one value: which one a placeholder gets could not be told. One
// map, cleared for each Instance, serves the whole blob.
func variableTwice(ib *declaredconfig.InstanceBlob) error {
	seen := map[string]bool{}
	for i, in := range ib.Instances {
		clear(seen)
		for _, d := range in.Data {
			if seen[d.Variable] {
				return errorf("%w: Instance %d gives the variable %s more than once", declaredconfig.ErrInvalid, i+1, shown(d.Variable))
			}
			seen[d.Variable] = true
		}
	}
	return nil
}

// refused is the EventError that tells why a document or instance data
// (what) sent to uri was refused with code: the server sees only the code.
func refused(now time.Time, docID, uri, what string, code syncml.StatusCode, err error) Event {
	return Event{Time: now, Kind: EventError, DocID: docID, URI: uri, Detail: what + " refused (" + strconv.Itoa(int(code)) + ")", Err: err}
}

// refusalCode is the status of a document or instance data that does not
// read or breaks the CSP's rules (err): 413 (request entity too large)
// when it is beyond one of Config.Limits, as it is beyond
// Config.MaxSettings, since the fault is its size, not its form; 400
// otherwise.
func refusalCode(err error) syncml.StatusCode {
	if errors.Is(err, declaredconfig.ErrLimit) {
		return syncml.StatusRequestEntityTooLarge
	}
	return syncml.StatusBadRequest
}

// bit reads a 0 or 1 value of a node of format int (as
// declaredconfig.ParseInt reads an int: " 1", "01" and "0x1" are 1) and
// gives it as "0" or "1".
func bit(v string) (string, bool) {
	n, err := declaredconfig.ParseInt(v)
	if err != nil || n != 0 && n != 1 {
		return "", false
	}
	return strconv.Itoa(int(n)), true
}

func stateText(s declaredconfig.State) string { return strconv.FormatUint(uint64(s), 10) }

// hostOf reads a Host node name (any case); 0 if it is none.
func hostOf(s string) declaredconfig.Host {
	for _, h := range []declaredconfig.Host{declaredconfig.Complete, declaredconfig.Inventory, declaredconfig.BulkTemplate} {
		if strings.EqualFold(s, h.String()) {
			return h
		}
	}
	return 0
}
