package main

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// agent is a small stand-in for the WinDC engine of the device: it
// applies documents to the DM tree, keeps a result per document, checks
// for drift when its refresh task runs, and writes the 1224 summary.
//
// Unlike Windows, which reapplies a drifted document itself and reports
// drift only when it cannot repair it, this agent only detects: it leaves
// the repair to the server, so that the demo can show the server's side.
type agent struct {
	dev  *device
	docs map[string]*agentDoc // by upper-case DocID
}

type agentDoc struct {
	uri    declaredconfig.URI
	doc    declaredconfig.Document
	result declaredconfig.Result
}

// apply handles an Add or Replace of a Document node: the document is
// checked at once (a bad one is refused in the Status) and then applied.
func (a *agent) apply(u declaredconfig.URI, text string, isAdd bool) syncml.StatusCode {
	var doc declaredconfig.Document
	if err := doc.UnmarshalText([]byte(text)); err != nil {
		a.dev.log.printf("  [agent] refusing document %s: %v\n", u.DocID, err)
		return syncml.StatusBadRequest
	}
	if err := doc.Validate(u); err != nil {
		a.dev.log.printf("  [agent] refusing document %s: %v\n", u.DocID, err)
		return syncml.StatusBadRequest
	}
	k := strings.ToUpper(u.DocID)
	if _, ok := a.docs[k]; ok && isAdd {
		return syncml.StatusAlreadyExists
	}
	ad := &agentDoc{uri: u, doc: doc}
	a.docs[k] = ad
	a.dev.log.printf("  [agent] applying document %s version %s (%s, %d CSP)\n", doc.ID, doc.Checksum, doc.Scenario, len(doc.CSPs))
	for _, csp := range doc.CSPs {
		for _, s := range csp.Settings {
			node := settingURI(doc.Context, csp.Name, s.Path)
			old, _ := a.dev.get(node)
			a.dev.set(node, s.Value)
			a.dev.log.printf("  [agent]   %s (%s) = %q (was %q)\n", node, s.Type, s.Value, old)
		}
	}
	a.check(ad)
	return syncml.StatusOK
}

// settingURI is the DM tree node of a setting of a CSP, in the scope the
// document's context names.
func settingURI(context, csp, path string) string {
	scope := "./Device/"
	if strings.EqualFold(context, "User") {
		scope = "./User/"
	}
	return scope + strings.TrimPrefix(csp, "./") + "/" + path
}

// check compares the tree with the document and records the result:
// state 60 when every setting holds its value, 61 otherwise. It returns
// the settings that do not.
func (a *agent) check(ad *agentDoc) (drifted []string) {
	doc := ad.doc
	r := declaredconfig.Result{
		Context: doc.Context, Schema: doc.Schema, ID: doc.ID, Scenario: doc.Scenario,
		Checksum: doc.Checksum, Operation: "Set",
	}
	docState := declaredconfig.StateConfigCompletedSuccess
	for _, csp := range doc.CSPs {
		cr := declaredconfig.CSPResult{Name: csp.Name}
		cspState := declaredconfig.StateConfigCompletedSuccess
		for _, s := range csp.Settings {
			node := settingURI(doc.Context, csp.Name, s.Path)
			st, state := syncml.StatusOK, declaredconfig.StateConfigCompletedSuccess
			if v, _ := a.dev.get(node); v != s.Value {
				st, state = syncml.StatusCommandFailed, declaredconfig.StateConfigCompletedError
				cspState, docState = state, state
				drifted = append(drifted, fmt.Sprintf("%s is %q, declared %q", node, v, s.Value))
			}
			cr.Settings = append(cr.Settings, declaredconfig.SettingResult{
				Path: s.Path, Status: strconv.Itoa(int(st)), State: strconv.Itoa(int(state)), Type: s.Type})
		}
		cr.State = strconv.Itoa(int(cspState))
		r.CSPs = append(r.CSPs, cr)
	}
	r.State = strconv.Itoa(int(docState))
	// result_checksum changes when the outcome changes.
	x, _ := r.MarshalText()
	r.ResultChecksum = fmt.Sprintf("%X", sha256.Sum256(x))
	r.ResultTimestamp = time.Now().UTC().Format("2006-01-02T15:04:05Z")
	ad.result = r
	return drifted
}

// refresh is the agent's refresh task: it checks every document for
// drift and reports whether it wants a session with the server.
func (a *agent) refresh() (wantSession bool) {
	for _, k := range a.keys() {
		ad := a.docs[k]
		before := ad.result.ResultChecksum
		drifted := a.check(ad)
		for _, s := range drifted {
			a.dev.log.printf("  [agent] drift in %s: %s\n", ad.doc.ID, s)
		}
		if len(drifted) == 0 {
			a.dev.log.printf("  [agent] %s version %s: no drift\n", ad.doc.ID, ad.doc.Checksum)
		} else {
			a.dev.log.printf("  [agent] %s marked %v (result_checksum %.12s…); asking the server for a session\n",
				ad.doc.ID, declaredconfig.StateConfigCompletedError, ad.result.ResultChecksum)
		}
		if ad.result.ResultChecksum != before && len(drifted) > 0 {
			wantSession = true
		}
	}
	return wantSession
}

func (a *agent) keys() []string {
	ks := make([]string, 0, len(a.docs))
	for k := range a.docs {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// result returns the result a Results node asks for, or nil.
func (a *agent) result(u declaredconfig.URI) *declaredconfig.Result {
	ad := a.docs[strings.ToUpper(u.DocID)]
	if ad == nil || ad.uri.Scope != u.Scope || ad.uri.Host != u.Host {
		return nil
	}
	r := ad.result
	return &r
}

// summaryAlert builds the 1224 alert that carries the DeclaredConfigurations
// summary of every document.
func (a *agent) summaryAlert() (*syncml.Alert, error) {
	s := declaredconfig.Summary{Schema: "1.0"}
	for _, k := range a.keys() {
		ad := a.docs[k]
		s.Documents = append(s.Documents, declaredconfig.SummaryEntry{
			Context: ad.doc.Context, ID: ad.doc.ID, Checksum: ad.doc.Checksum,
			ResultChecksum: ad.result.ResultChecksum, State: ad.result.State,
		})
	}
	x, err := s.MarshalText()
	if err != nil {
		return nil, err
	}
	return &syncml.Alert{
		Data: syncml.AlertClientEvent.Data(),
		Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
			Data: syncml.XML(string(x)),
		}},
	}, nil
}
