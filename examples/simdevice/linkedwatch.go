package main

import (
	"sync/atomic"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
)

// linkedWatch tells, with -linked, how many devices the server never
// started the linked enrollment on: a device whose LinkedEnrollment nodes
// of -provider got no Exec Enroll, such as one whose server drives
// another provider's nodes (answered 404 by the device, which only the
// server sees).
type linkedWatch struct {
	started []atomic.Bool // per device: its EnrollStatus left 1 (not started)
	created atomic.Int64  // devices made
	ran     atomic.Int64  // devices whose started is set
}

// newLinkedWatch returns the watch of a fleet of n devices.
func newLinkedWatch(n int) *linkedWatch {
	return &linkedWatch{started: make([]atomic.Bool, n)}
}

// device returns the OnChange of device i's LinkedEnrollment handler
// (device.Config.OnChange) and counts the device as made.
func (w *linkedWatch) device(i int) func(device.State) {
	w.created.Add(1)
	return func(s device.State) {
		if s.Status != dmclient.StatusUndefined && s.Status != dmclient.StatusEnrollmentNotStarted && w.started[i].CompareAndSwap(false, true) {
			w.ran.Add(1)
		}
	}
}

// notRun returns how many of the devices made never had their linked
// enrollment started, and how many were made.
func (w *linkedWatch) notRun() (n, of int) {
	of = int(w.created.Load())
	return of - int(w.ran.Load()), of
}
