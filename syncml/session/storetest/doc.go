// Package storetest checks an implementation of session.Store against its
// contract. Call Run from a test of the implementation:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store { return newMyStore(t) })
//	}
package storetest
