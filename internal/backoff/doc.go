// Package backoff spaces out the attempts of an optimistic update: after
// a compare-and-swap lost to another writer, the next attempt waits a
// random time below a bound that doubles with each loss, so that writers
// racing on one key stop colliding. It is shared by syncml/session and
// declaredconfig/reconcile.
package backoff
