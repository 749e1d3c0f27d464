package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// timeFormat is how result_timestamp is written, as Windows writes it.
const timeFormat = "2006-01-02T15:04:05Z"

// hashOf returns the hexadecimal SHA-256 of v: a result_checksum's, and
// the legacy hash of a value (keyedHash).
func hashOf(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:])
}

// SettingURI returns the Surface node of a setting:
// declaredconfig.SettingURI, the node as the document writes it (the
// CSP's node in the scope of the document's context, then the setting's
// path). The agent refuses a document whose CSP name names the other
// scope than its context.
//
// Deprecated: use declaredconfig.SettingURI, which this calls.
func SettingURI(context, csp, path string) string {
	return declaredconfig.SettingURI(context, csp, path)
}

// dscRoot is the node under which the DSC resources' parameters are
// (DSCURI).
const dscRoot = "./Device/DSC/"

// DSCURI returns the Surface node of a Value parameter of a DSC element:
// ./Device/DSC/{namespace}/{className}/{key=value,…}/{name}, each part
// percent-encoded as one segment, keys in document order. In the keys'
// segment each key name and value has its '%', ',' and '=' percent-encoded
// first, so that a value holding ",Name=V" does not read as one more key:
// the segment, unescaped, splits at ',' and then at '=' into parts that
// unescape to the names and values.
func DSCURI(d *declaredconfig.DSC, name string) string {
	var keys []string
	for _, k := range d.Keys {
		keys = append(keys, keyEscaper.Replace(k.Name)+"="+keyEscaper.Replace(k.Value))
	}
	return dscRoot + url.PathEscape(d.Namespace) + "/" + url.PathEscape(d.ClassName) + "/" +
		url.PathEscape(strings.Join(keys, ",")) + "/" + url.PathEscape(name)
}

// keyEscaper percent-encodes what separates the keys of a DSCURI.
var keyEscaper = strings.NewReplacer("%", "%25", ",", "%2C", "=", "%3D")

// plan expands a document (and its instance data) into the settings to
// make; secret[i] tells that the value of steps[i] came from instance
// data. waiting is true for a bulk template with placeholders and no
// instance data.
func (a *Agent) plan(rec *DocumentRecord, d *declaredconfig.Document, host declaredconfig.Host) (steps []SettingRecord, secret []bool, waiting bool, err error) {
	var blob *declaredconfig.InstanceBlob
	if rec.InstanceData != "" {
		blob = &declaredconfig.InstanceBlob{}
		if err := declaredconfig.UnmarshalLimits([]byte(rec.InstanceData), blob, a.cfg.Limits); err != nil {
			return nil, nil, false, err
		}
	}
	if n := settingCount(d, blob, host); n > a.cfg.MaxSettings {
		return nil, nil, false, pkg.LimitCount("MaxSettings", int64(a.cfg.MaxSettings), int64(n), rec.URI)
	}
	group := 0
	nodes := map[string]bool{} // the nodes of the settings so far
	// add appends s; k is its node (nodeKey) when known, "" to read it.
	add := func(s SettingRecord, fromData bool, k string) {
		if !s.Missing && !s.Invalid {
			// Two instances of a bulk template that name one node:
			// the first sets it, the others fail (checkDocument
			// refuses a document that names a node twice itself).
			if k == "" {
				k = nodeKey(s.URI)
			}
			s.Invalid = nodes[k]
			nodes[k] = true
		}
		s.Group = group
		s.Value = typedValue(s.Type, s.Value)
		s.Hash = a.hashes.sum(s.Value)
		steps = append(steps, s)
		secret = append(secret, fromData)
	}
	if host == declaredconfig.BulkTemplate && hasPlaceholder(d) {
		if blob == nil || len(blob.Instances) == 0 {
			return nil, nil, true, nil
		}
		for _, inst := range blob.Instances {
			vars := map[string]string{}
			for _, v := range inst.Data {
				vars[v.Variable] = v.Value
			}
			for _, c := range d.CSPs {
				for _, s := range c.Settings {
					path, m1, bad := fill(s.Path, vars, true)
					value, m2, _ := fill(s.Value, vars, false)
					uri := declaredconfig.SettingURI(d.Context, c.Name, path)
					k, err := settingNode(d.Context, c.Name, path) // its nodeKey when it is one
					add(SettingRecord{CSP: c.Name, Path: path, Type: s.Type, URI: uri,
						Value: value, Missing: m1 || m2, Invalid: bad || err != nil}, value != s.Value, k)
				}
				group++
			}
			for i := range d.DSCs {
				x := d.DSCs[i] // a copy, its keys filled
				x.Keys = append([]declaredconfig.Param(nil), x.Keys...)
				missing := false
				for k := range x.Keys {
					v, m, _ := fill(x.Keys[k].Value, vars, false)
					x.Keys[k].Value, missing = v, missing || m
				}
				keys := keyText(&x, &d.DSCs[i])
				for _, p := range x.Values {
					value, m, _ := fill(p.Value, vars, false)
					add(SettingRecord{DSC: i + 1, DSCKeys: keys, Path: p.Name, URI: DSCURI(&x, p.Name), Value: value,
						Missing: missing || m}, value != p.Value, "")
				}
				group++
			}
		}
		return steps, secret, false, nil
	}
	for _, c := range d.CSPs {
		for _, s := range c.Settings {
			add(SettingRecord{CSP: c.Name, Path: s.Path, Type: s.Type, URI: declaredconfig.SettingURI(d.Context, c.Name, s.Path), Value: s.Value}, false, "")
		}
		group++
	}
	for i := range d.DSCs {
		x := &d.DSCs[i]
		for _, p := range x.Values {
			add(SettingRecord{DSC: i + 1, Path: p.Name, URI: DSCURI(x, p.Name), Value: p.Value}, false, "")
		}
		group++
	}
	return steps, secret, false, nil
}

// settingCount returns how many settings plan makes of d with blob.
func settingCount(d *declaredconfig.Document, blob *declaredconfig.InstanceBlob, host declaredconfig.Host) int {
	n, csp := 0, 0
	for _, c := range d.CSPs {
		csp += len(c.Settings)
	}
	for _, x := range d.DSCs {
		n += len(x.Values)
	}
	if host == declaredconfig.BulkTemplate && blob != nil && len(blob.Instances) > 0 && hasPlaceholder(d) {
		return (n + csp) * len(blob.Instances)
	}
	return n + csp
}

// hasPlaceholder reports whether a setting path or value, or a key or
// value of a DSC element, of d holds a placeholder.
func hasPlaceholder(d *declaredconfig.Document) bool {
	for _, c := range d.CSPs {
		for _, s := range c.Settings {
			if strings.Contains(s.Path, "@#") || strings.Contains(s.Value, "@#") {
				return true
			}
		}
	}
	for _, x := range d.DSCs {
		for _, p := range slices.Concat(x.Keys, x.Values) {
			if strings.Contains(p.Value, "@#") {
				return true
			}
		}
	}
	return false
}

// keyText returns the SettingRecord.DSCKeys of filled, a DSC element of
// the template tmpl with its keys filled: "" when they are as written.
func keyText(filled, tmpl *declaredconfig.DSC) string {
	if slices.EqualFunc(filled.Keys, tmpl.Keys, func(x, y declaredconfig.Param) bool { return x.Value == y.Value }) {
		return ""
	}
	var parts []string
	for _, k := range filled.Keys {
		parts = append(parts, url.QueryEscape(k.Name)+"="+url.QueryEscape(k.Value))
	}
	return strings.Join(parts, "&")
}

// dscKeys returns the keys of the DSC element x as the setting s made
// them: x's, with the values s.DSCKeys holds.
func dscKeys(x *declaredconfig.DSC, s *SettingRecord) []declaredconfig.Param {
	keys := append([]declaredconfig.Param(nil), x.Keys...)
	if s.DSCKeys == "" {
		return keys
	}
	for i, part := range strings.Split(s.DSCKeys, "&") {
		_, v, _ := strings.Cut(part, "=")
		if u, err := url.QueryUnescape(v); err == nil && i < len(keys) {
			keys[i].Value = u
		}
	}
	return keys
}

// fill replaces each @#name# by its value; missing is true when a name has
// none. In a path (segment true) a value must be one node name, so that
// instance data reaches no node the template does not name: bad is true
// when one is empty, ".", ".." or holds a "/", and when an "@#" is not
// closed by a "#".
func fill(s string, vars map[string]string, segment bool) (out string, missing, bad bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "@#")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '#')
		if j < 0 {
			// "@#" with no "#" after it names no variable; in a path it
			// would make a node the template does not name
			bad = bad || segment
			break
		}
		name := s[i+2 : i+2+j]
		v, ok := vars[name]
		if !ok {
			missing = true
			v = s[i : i+3+j]
		} else if segment && (v == "" || v == "." || v == ".." || strings.Contains(v, "/")) {
			bad = true
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+3+j:]
	}
	b.WriteString(s)
	return b.String(), missing, bad
}

// statusOf turns a Surface error into a status.
func statusOf(err error) syncml.StatusCode {
	switch {
	case err == nil:
		return syncml.StatusOK
	case errors.Is(err, ErrNotFound):
		return syncml.StatusNotFound
	case errors.Is(err, ErrNotAllowed):
		return syncml.StatusCommandNotAllowed
	}
	return syncml.StatusCommandFailed
}

// A claim is a node a managed document declares.
type claim struct {
	doc, set int32 // index of the record, and of its setting
	seq      uint64
	hash     string // the setting's
}

// claims indexes, by canonical node, the nodes the managed documents
// (applied, not abandoned, not inventories, not stored documents the
// checks now refuse) declare, whatever their last status: who owns a node
// depends on the documents only, so that one refresh settles it.
func (a *Agent) claims() map[string][]claim {
	out := map[string][]claim{}
	for j := range a.st.Documents {
		o := &a.st.Documents[j]
		if o.Abandoned || o.Pending || a.inventory(o.URI) || a.refusedDoc(o.URI) != nil {
			continue
		}
		for n, s := range o.Settings {
			if s.Missing || s.Invalid {
				continue
			}
			if k := nodeKey(s.URI); k != "" {
				out[k] = append(out[k], claim{int32(j), int32(n), o.Seq, s.Hash})
			}
		}
	}
	return out
}

// isInventory reports whether a record's URI is under Host/Inventory.
func isInventory(uri string) bool {
	u, err := declaredconfig.ParseURI(uri)
	return err == nil && u.Host == declaredconfig.Inventory
}

// loses reports whether the record at i must leave the node k (canonical)
// to another document that sets it to another value and wins: the older
// one while ConflictResolution is off, the newer one when it is on.
func (a *Agent) loses(claims map[string][]claim, i int, k string, s *SettingRecord) bool {
	seq := a.st.Documents[i].Seq
	newerWins := a.st.ConflictResolution == "1"
	for _, c := range claims[k] {
		if int(c.doc) == i || c.hash == s.Hash ||
			a.hashes.mixed(c.hash, s.Hash) && a.hashes.same(a.hashes.ref(&a.st.Documents[c.doc].Settings[c.set]), a.hashes.ref(s)) {
			continue
		}
		if newerWins && c.seq > seq || !newerWins && c.seq < seq {
			return true
		}
	}
	return false
}

// requested is the state of a document accepted and not applied yet:
// GetRequest (20) for an inventory, ConfigRequest (1) otherwise.
func requested(h declaredconfig.Host) declaredconfig.State {
	if h == declaredconfig.Inventory {
		return declaredconfig.StateGetRequest
	}
	return declaredconfig.StateConfigRequest
}

// An applyJob is one apply the worker carries out without the lock: what
// it read of the record when it started, and the settings it makes.
type applyJob struct {
	uri       declaredconfig.URI
	doc       *declaredconfig.Document
	text      string // the record's Document when the job started
	instance  string // and its InstanceData
	steps     []SettingRecord
	secret    []bool // steps[i].Value came from instance data
	lose      []bool // steps[i] is another document's node
	inventory bool
	// forgotten[i]: an inventory's steps[i] names a node whose value came
	// from instance data the agent dropped; it is not read back.
	forgotten []bool
	events    []Event // Surface calls that timed out, told with the outcome
	// maySet[i]: the Set of steps[i] was called and may have made the
	// node: it succeeded, or its outcome is not known (maybeMade).
	maySet []bool
	// intended holds the nodes the record did not hold as set when the
	// job started (intents), with the hash of the value each Set writes:
	// applyNext adds them to its Leftover and Intents, with those of the
	// other pending records, and saves the state before the first Set
	// (a.intents keeps them until commit).
	intended []leftNode
}

// prepare starts the apply of the record at i: it plans the settings and
// marks the record ConfigInprogress (2). A bulk template without its
// instance data is marked ConfigInProgressAsyncPending (3) and gives no
// job.
func (a *Agent) prepare(i int, n *notes) (*applyJob, error) {
	rec := &a.st.Documents[i]
	u, err := a.parse(rec.URI)
	if err != nil {
		return nil, errorf("apply %s: %w", rec.URI, err)
	}
	d := a.doc(u)
	if d == nil {
		return nil, errorf("apply %s: the document does not read", rec.URI)
	}
	if err := a.legacy[key(u)]; err != nil {
		return nil, errorf("apply %s: a stored document the checks now refuse is not applied: %w", rec.URI, err)
	}
	steps, secret, waiting, err := a.planKept(rec, d, u.Host)
	if err != nil {
		return nil, errorf("apply %s: %w", rec.URI, err)
	}
	rec.Pending = false
	if waiting {
		rec.State = declaredconfig.StateConfigInProgressAsyncPending
		n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventWaiting, DocID: d.ID, URI: rec.URI, State: stateText(rec.State),
			Detail: "the template waits for its instance data (BulkVariables)"})
		return nil, nil
	}
	rec.State = declaredconfig.StateConfigInprogress
	if u.Host == declaredconfig.Inventory {
		rec.State = declaredconfig.StateGetInprogress
	}
	j := &applyJob{uri: u, doc: d, text: rec.Document, instance: rec.InstanceData,
		steps: steps, secret: secret, lose: make([]bool, len(steps)), inventory: u.Host == declaredconfig.Inventory,
		maySet: make([]bool, len(steps))}
	if j.inventory {
		// An inventory reads nodes and sets none: no conflicts.
		dropped := a.droppedNodes()
		j.forgotten = make([]bool, len(steps))
		for k := range steps {
			j.forgotten[k] = dropped[nodeKey(steps[k].URI)]
		}
		return j, nil
	}
	claims := a.claims()
	for k := range steps {
		ck := nodeKey(steps[k].URI)
		j.lose[k] = a.loses(claims, i, ck, &steps[k])
	}
	if j.intended = intents(rec, j, a.heldBefore); len(j.intended) > 0 {
		if n, max := len(recorded(rec))+len(j.intended), a.cfg.MaxLeftover; n > max {
			return nil, errorf("apply %s: %w", rec.URI, pkg.LimitCount("MaxLeftover", int64(max), int64(n), rec.URI))
		}
	}
	return j, nil
}

// droppedNodes returns the nodes (nodeKey) of the settings whose value
// came from instance data the agent dropped (only its hash is kept), of
// every document it holds: an inventory must not read back (into its
// result, which the store keeps and the server gets) a secret, such as a
// PFX password, the agent chose not to keep. a.mu held.
func (a *Agent) droppedNodes() map[string]bool {
	out := map[string]bool{}
	for _, r := range a.st.Documents {
		for k := range r.Settings {
			if s := &r.Settings[k]; !s.Missing && !s.Invalid && !a.hashes.known(s) {
				out[nodeKey(s.URI)] = true
			}
		}
	}
	return out
}

// execute makes the job's settings through the Surface, calling it
// through c (without the lock).
func (a *Agent) execute(c *caller, j *applyJob) error {
	ctx := c.ctx
	for k := range j.steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := &j.steps[k]
		var st syncml.StatusCode
		switch {
		case j.inventory && j.forgotten[k]:
			st = syncml.StatusCommandNotAllowed
		case j.inventory:
			o := c.do(surfaceOp{kind: opGet, uri: s.URI})
			v, ok, err := o.v, o.ok, o.err
			st = statusOf(err)
			if errors.Is(err, ErrSurfaceTimeout) {
				j.events = append(j.events, Event{Time: a.cfg.Clock.Now(), Kind: EventError, DocID: j.doc.ID, URI: s.URI, Err: err})
			}
			if err == nil && !ok {
				st = syncml.StatusNotFound
			}
			s.Observed = v
		case s.Invalid:
			st = syncml.StatusBadRequest
		case s.Missing:
			st = syncml.StatusNotFound
		case j.lose[k]:
			st = syncml.StatusConflict
		default:
			err := c.do(surfaceOp{kind: opSet, uri: s.URI, value: s.Value}).err
			st = statusOf(err)
			j.maySet[k] = err == nil || maybeMade(ctx, err)
			if errors.Is(err, ErrSurfaceTimeout) {
				j.events = append(j.events, Event{Time: a.cfg.Clock.Now(), Kind: EventError, DocID: j.doc.ID, URI: s.URI, Err: err})
			}
		}
		s.Status = int(st)
	}
	return nil
}

// commit records the outcome of a job in the record it was for, if that
// record still holds the same document and nothing asked for another
// apply meanwhile (a new version, new instance data: the next apply
// makes every setting again). cancelled puts the record back to pending.
// An outcome not recorded keeps the nodes the job set in the record's
// Leftover, so that Unenroll deletes them, but those the batch read
// holding the value their Set wrote (heldBefore: the job did not change
// them); of the nodes recorded before the Sets (intended), those whose
// Set was surely not made are taken out again, whether or not the record
// is as the job found it. It returns the nodes of earlier
// versions to delete from the Surface (relieve).
func (a *Agent) commit(j *applyJob, cancelled bool, n *notes) (drop []leftNode) {
	intended := a.intents[key(j.uri)]
	delete(a.intents, key(j.uri))
	i := a.find(j.uri)
	if i < 0 {
		return nil // deleted meanwhile: its settings stay, as a Delete's
	}
	rec := &a.st.Documents[i]
	if rec.Document != j.text || rec.Pending {
		// Another version (or a command of an Atomic, which an Undo may
		// roll back) came meanwhile: the nodes the job may have set stay
		// recorded, but those it did not change (heldBefore); those
		// recorded before the Sets that it surely did not set come out,
		// as when the outcome is recorded.
		if !j.inventory {
			unintend(rec, intended, j)
			leave(rec, j, a.heldBefore)
		}
		return nil
	}
	unintend(rec, intended, j)
	if cancelled {
		if !j.inventory {
			leave(rec, j, a.heldBefore)
		}
		rec.Pending = true
		rec.State = requested(j.uri.Host)
		return nil
	}
	if !a.cfg.KeepInstanceData && rec.InstanceData != "" && rec.InstanceData == j.instance {
		rec.InstanceData = ""
		for k := range j.steps {
			if j.secret[k] {
				j.steps[k].Value = ""
			}
		}
	}
	if j.inventory {
		rec.Settings = j.steps
	} else {
		drop = a.relieve(rec, j)
	}
	rec.Applied = ""
	a.conclude(rec, j.doc, j.uri.Host)
	for _, e := range j.events {
		n.event(e)
	}
	n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventApplied, DocID: j.doc.ID, URI: rec.URI, State: stateText(rec.State),
		Detail: "version " + j.doc.Checksum + ", " + strconv.Itoa(len(j.steps)) + " settings" + failedText(j.steps)})
	n.session = append(n.session, "document "+j.doc.ID+" applied")
	return drop
}

func failedText(steps []SettingRecord) string {
	f := 0
	for _, s := range steps {
		if s.Status != int(syncml.StatusOK) {
			f++
		}
	}
	if f == 0 {
		return ""
	}
	return ", " + strconv.Itoa(f) + " failed"
}

// conclude sets the record's state and result from its settings. The
// result, and so result_checksum and result_timestamp, change only when
// the outcome does.
func (a *Agent) conclude(rec *DocumentRecord, d *declaredconfig.Document, host declaredconfig.Host) {
	ok, bad, op := declaredconfig.StateConfigCompletedSuccess, declaredconfig.StateConfigCompletedError, "Set"
	if host == declaredconfig.Inventory {
		ok, bad, op = declaredconfig.StateGetCompletedSuccess, declaredconfig.StateGetCompletedError, "Get"
	}
	r := declaredconfig.Result{Context: d.Context, Schema: d.Schema, ID: d.ID, Scenario: d.Scenario,
		Checksum: d.Checksum, Operation: op}
	state := ok
	cur := -1
	for _, s := range rec.Settings {
		sst := ok
		if s.Status != int(syncml.StatusOK) {
			sst, state = bad, bad
		}
		obs := ""
		if host == declaredconfig.Inventory {
			obs = s.Observed
		}
		if s.DSC > 0 {
			x := &d.DSCs[s.DSC-1]
			if s.Group != cur {
				cur = s.Group
				r.DSCs = append(r.DSCs, declaredconfig.DSCResult{Namespace: x.Namespace, ClassName: x.ClassName,
					Status: "200", State: stateText(ok), Keys: dscKeys(x, &s)})
			}
			g := &r.DSCs[len(r.DSCs)-1]
			g.Values = append(g.Values, declaredconfig.Param{Name: s.Path, Value: obs})
			if sst == bad {
				g.Status, g.State = strconv.Itoa(s.Status), stateText(bad)
			}
			continue
		}
		if s.Group != cur {
			cur = s.Group
			r.CSPs = append(r.CSPs, declaredconfig.CSPResult{Name: s.CSP, State: stateText(ok)})
		}
		g := &r.CSPs[len(r.CSPs)-1]
		g.Settings = append(g.Settings, declaredconfig.SettingResult{Path: s.Path, Status: strconv.Itoa(s.Status),
			State: stateText(sst), Type: s.Type, Value: obs})
		if sst == bad {
			g.State = stateText(bad)
		}
	}
	r.State = stateText(state)
	rec.State = state
	text, err := r.MarshalText()
	if err != nil {
		// Values that cannot be written (an inventory read one): keep
		// the outcome without them.
		for ci := range r.CSPs {
			for si := range r.CSPs[ci].Settings {
				r.CSPs[ci].Settings[si].Value = ""
			}
		}
		for di := range r.DSCs {
			for vi := range r.DSCs[di].Values {
				r.DSCs[di].Values[vi].Value = ""
			}
		}
		text, _ = r.MarshalText()
	}
	sum := strings.ToUpper(hashOf(string(text)))
	if sum == rec.ResultChecksum && rec.Result != "" {
		return
	}
	r.ResultChecksum = sum
	r.ResultTimestamp = a.cfg.Clock.Now().UTC().Format(timeFormat)
	full, err := r.MarshalText()
	if err != nil {
		return
	}
	rec.Result, rec.ResultChecksum = string(full), sum
}
