package syncml

import "github.com/windc-go/windc/internal/xmlscan"

// The word-at-a-time scanning lives in internal/xmlscan; these short
// names keep the writer's code as it was.

func broadcast(c byte) uint64 { return xmlscan.Broadcast(c) }

func skipPlain(s string, i int, a, b, fold uint64) int { return xmlscan.SkipPlain(s, i, a, b, fold) }
