package sim

import (
	"context"
	"maps"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// DevDetail is what a simulated device answers for ./DevDetail nodes.
type DevDetail struct {
	SwV, OEM, DevTyp, FwV, HwV string
}

// infoTree answers Get of the ./DevInfo and ./DevDetail leaves a device
// has; any other command there is 405, an unknown node 404.
type infoTree map[string]string

func newInfoTree(info session.DevInfo, detail DevDetail) infoTree {
	t := infoTree{}
	maps.Copy(t, map[string]string{
		"./DevInfo/DevId": info.DevID, "./DevInfo/Man": info.Man, "./DevInfo/Mod": info.Mod,
		"./DevInfo/DmV": info.DmV, "./DevInfo/Lang": info.Lang,
		"./DevDetail/SwV": detail.SwV, "./DevDetail/OEM": detail.OEM, "./DevDetail/DevTyp": detail.DevTyp,
		"./DevDetail/FwV": detail.FwV, "./DevDetail/HwV": detail.HwV,
	})
	return t
}

// key returns the tree key of uri: ./DevInfo/X whatever the scope spelling.
func key(uri string) string {
	u, err := syncml.ParseLocURI(uri)
	if err != nil || u.Scope == syncml.ScopeUser {
		return ""
	}
	u.Scope = syncml.ScopeDefault
	return u.String()
}

// ServeCommand implements session.Handler.
func (t infoTree) ServeCommand(_ context.Context, r *session.Request) session.Response {
	items := r.Command.ItemList()
	codes := make([]syncml.StatusCode, len(items))
	var results []syncml.Item
	for i, it := range items {
		if it.Target == nil {
			codes[i] = syncml.StatusBadRequest
			continue
		}
		v, ok := t[key(it.Target.LocURI)]
		switch {
		case !ok:
			codes[i] = syncml.StatusNotFound
		case r.Command.ElementName() != "Get":
			codes[i] = syncml.StatusCommandNotAllowed
		default:
			codes[i] = syncml.StatusOK
			results = append(results, syncml.Item{Source: &syncml.Location{LocURI: it.Target.LocURI},
				Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: syncml.Text(v)})
		}
	}
	return session.Response{ItemCodes: codes, Results: results}
}
