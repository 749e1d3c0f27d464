package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestDeviceShownBounded: errors that name a device show its ID cut in
// the middle: a device's ID comes from its messages (the SyncHdr Source)
// and may be as long as they are; the messages quoted it whole.
func TestDeviceShownBounded(t *testing.T) {
	ctx := context.Background()
	device := "./" + strings.Repeat("d", 1<<20)
	rec := reconcile.New(reconcile.Config{})
	if err := rec.Declare(ctx, device, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	err := rec.RemoveIn(ctx, device, 2, ids[0])
	if err == nil {
		t.Fatal("RemoveIn of scope 2 took it")
	}
	if n := len(err.Error()); n > 1024 {
		t.Errorf("RemoveIn's error: %d bytes", n)
	}
}
