package session

import (
	"context"

	"github.com/windc-go/windc/syncml"
)

// DevInfo is what a device says of itself in package 1: the nodes
// ./DevInfo/DevId, Man, Mod, DmV and Lang.
type DevInfo struct {
	DevID, Man, Mod, DmV, Lang string
}

// Replace returns the Replace that carries d in package 1, one Item per
// non-empty field with the node in Source, in the order DevId, Man, Mod,
// DmV, Lang (no CmdID: the session numbers it).
func (d DevInfo) Replace() *syncml.Replace {
	r := &syncml.Replace{}
	for _, f := range []struct{ node, v string }{
		{"DevId", d.DevID}, {"Man", d.Man}, {"Mod", d.Mod}, {"DmV", d.DmV}, {"Lang", d.Lang},
	} {
		if f.v != "" {
			r.Items = append(r.Items, syncml.Item{Source: &syncml.Location{LocURI: "./DevInfo/" + f.node}, Data: syncml.Text(f.v)})
		}
	}
	return r
}

// value returns the field of d that node (DevId, Man, Mod, DmV or Lang)
// names, and whether node is one of them and the field is set.
func (d DevInfo) value(node string) (string, bool) {
	var v string
	switch node {
	case "DevId":
		v = d.DevID
	case "Man":
		v = d.Man
	case "Mod":
		v = d.Mod
	case "DmV":
		v = d.DmV
	case "Lang":
		v = d.Lang
	}
	return v, v != ""
}

// Handler returns a Handler that answers, from d, what a server asks of
// the ./DevInfo subtree, which a device keeps itself: a Get of
// ./DevInfo/DevId, Man, Mod, DmV or Lang gets the value (Results, Format
// chr) with 200, a Get of any other node or of an empty field 404 (per
// item), and any other command 405, the subtree being read-only. A
// device client mounts it so that its Mux answers these Gets as Windows
// does, with the values its package 1 sent:
//
//	mux.HandleSubtree("", "./DevInfo", cfg.DevInfo.Handler())
func (d DevInfo) Handler() Handler {
	return HandlerFunc(func(_ context.Context, r *Request) Response {
		if _, ok := r.Command.(*syncml.Get); !ok {
			return Response{Code: syncml.StatusCommandNotAllowed}
		}
		items := r.Command.ItemList()
		codes := make([]syncml.StatusCode, len(items))
		var results []syncml.Item
		for i, it := range items {
			codes[i] = syncml.StatusNotFound
			if it.Target == nil {
				continue
			}
			u, err := syncml.ParseLocURI(it.Target.LocURI)
			if err != nil || u.Scope != syncml.ScopeDefault && u.Scope != syncml.ScopeDevice || len(u.Segments) != 2 || u.Segments[0] != "DevInfo" {
				continue
			}
			if v, ok := d.value(u.Segments[1]); ok {
				codes[i] = syncml.StatusOK
				results = append(results, syncml.Item{Source: &syncml.Location{LocURI: it.Target.LocURI},
					Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: syncml.Text(v)})
			}
		}
		return Response{ItemCodes: codes, Results: results}
	})
}
