package sim

import (
	"context"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// DriftMode says what InjectDrift does to a setting.
type DriftMode int

const (
	// DriftRepairable changes the value; the next refresh sets it back,
	// and the document stays in sync without a session.
	DriftRepairable DriftMode = iota
	// DriftUnrepairable changes the value and makes the surface refuse to
	// set it back: the refresh marks the document failed (61) with a new
	// result_checksum and asks for a session.
	DriftUnrepairable
)

// check returns an error matching ErrConfig for a DriftMode that is
// neither DriftRepairable nor DriftUnrepairable.
func (m DriftMode) check() error {
	if m != DriftRepairable && m != DriftUnrepairable {
		return pkg.Errorf("%w: DriftMode %d is neither DriftRepairable nor DriftUnrepairable", ErrConfig, int(m))
	}
	return nil
}

// InjectDrift changes the value of the first setting of the first applied
// document on the device's MemorySurface, in mode, and runs the agent's
// refresh as its RefreshInterval would. It returns the node it changed.
// DriftUnrepairable refuses every later Set of that node, on top of the
// surface's own Refuse hook, if any. Another mode is refused with
// ErrConfig (Changed: it was taken as DriftRepairable).
func (d *Device) InjectDrift(ctx context.Context, mode DriftMode) (string, error) {
	if err := mode.check(); err != nil {
		return "", err
	}
	if d.mem == nil {
		return "", pkg.Errorf("%w: drift needs a MemorySurface", ErrConfig)
	}
	uri := ""
	for _, rec := range d.agent.Snapshot().Documents {
		if rec.State == declaredconfig.StateConfigCompletedSuccess && !rec.Abandoned && len(rec.Settings) > 0 {
			uri = rec.Settings[0].URI
			break
		}
	}
	if uri == "" {
		return "", ErrNoSetting
	}
	old, _, err := d.mem.Get(ctx, uri)
	if err != nil {
		return "", err
	}
	if err := d.mem.Set(ctx, uri, old+"-drifted"); err != nil {
		return "", err
	}
	if mode == DriftUnrepairable {
		prev := d.mem.Refuse // the surface's own hook keeps its say
		d.mem.Refuse = func(op, u string) error {
			if op == "Set" && sameNode(u, uri) {
				return errRefused
			}
			if prev != nil {
				return prev(op, u)
			}
			return nil
		}
	}
	return uri, d.agent.Refresh(ctx)
}

// sameNode reports whether two LocURIs name one node.
func sameNode(a, b string) bool {
	ua, err1 := syncml.ParseLocURI(a)
	ub, err2 := syncml.ParseLocURI(b)
	return err1 == nil && err2 == nil && ua.Equal(ub)
}
