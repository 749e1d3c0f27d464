package session

import (
	"strings"

	"github.com/windc-go/windc/syncml"
)

// syncMLNamespace reports whether ns, the default namespace of a message's
// root, is one a SyncML DM message may have: none, or that of SyncML 1.0,
// 1.1 or 1.2 (NamespaceSyncML11, NamespaceSyncML12) in any case, as the
// DTDs' public identifiers are written in both. A root in any other
// namespace is another vocabulary's element named SyncML.
func syncMLNamespace(ns string) bool {
	if ns == "" || ns == syncml.NamespaceSyncML12 || ns == syncml.NamespaceSyncML11 {
		return true // the common cases, without folding
	}
	for _, v := range [...]string{syncml.NamespaceSyncML12, syncml.NamespaceSyncML11, "SYNCML:SYNCML1.0"} {
		if strings.EqualFold(ns, v) {
			return true
		}
	}
	return false
}
