package reconcile

import (
	"testing"

	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/session/storetest"
)

func TestMemStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return newMemStore() })
}
