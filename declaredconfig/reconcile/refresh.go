package reconcile

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// refresh plans the Replace and read-back of RefreshInterval: once a
// session (RefreshTried), and not after the device refused the value as
// often as a document's refusal is tried again (run.mayRetry), until the
// server wants another value.
func (p *run) refresh() error {
	st := p.st
	if st.Refresh == 0 || st.RefreshSet == st.Refresh || st.RefreshAwait != "" {
		return nil
	}
	what := strconv.FormatUint(uint64(st.Refresh), 10)
	keys, ref := splitTried(st.RefreshTried)
	if s, rest, _ := strings.Cut(keys, "\x00"); s == p.sess {
		if m, w, _ := strings.Cut(rest, "\x00"); w == what && m != p.msg {
			return nil
		}
	}
	if v, code, tries := refreshRefusalOf(ref); v == what && !p.mayRetry(code, tries) {
		return nil
	}
	c, err := declaredconfig.ReplaceRefreshInterval(st.Refresh)
	if err != nil {
		return errorf("device %s: %w", shown(p.device), err)
	}
	p.plan = append(p.plan, c, declaredconfig.GetRefreshInterval())
	st.RefreshAwait = p.msg
	st.RefreshTried = joinTried(p.sess+"\x00"+p.msg+"\x00"+what, ref)
	return nil
}

// refreshRefused records that the device refused, with code, the Replace
// setting RefreshInterval to what, and tells it in a Problem the first
// time it refuses what with code.
func (p *run) refreshRefused(what string, code syncml.StatusCode) {
	st := p.st
	keys, ref := splitTried(st.RefreshTried)
	v, c, tries := refreshRefusalOf(ref)
	if v != what {
		tries = 0
	}
	report := v != what || c != code || tries == 0
	tries++
	st.RefreshTried = joinTried(keys, what+"\x00"+strconv.Itoa(int(code))+"\x00"+strconv.Itoa(tries))
	if !report {
		return
	}
	again := "it is sent again in a later session"
	if !p.mayRetry(code, tries) {
		again = "it is not sent again until the server wants another value"
	}
	p.problem(DocStatus{}, errorf("device %s: the device refused RefreshInterval %s: %s; %s", shown(p.device), what, code, again))
}

// splitTried splits a RefreshTried into the keys of the last try (its
// session and message, and the value tried, which a new session forgets)
// and the last refusal (see refreshRefusalOf), which counts across
// sessions.
func splitTried(tried string) (keys, ref string) {
	keys, ref, _ = strings.Cut(tried, "\x01")
	return keys, ref
}

// joinTried is the RefreshTried that splitTried splits into keys and ref.
func joinTried(keys, ref string) string {
	if ref == "" {
		return keys
	}
	return keys + "\x01" + ref
}

// refreshRefusalOf reads the refusal part of a RefreshTried: the value
// refused, the code, and how many times in a row; nothing refused when it
// does not read.
func refreshRefusalOf(ref string) (what string, code syncml.StatusCode, tries int) {
	what, rest, ok := strings.Cut(ref, "\x00")
	c, n, ok2 := strings.Cut(rest, "\x00")
	ci, err := strconv.Atoi(c)
	ti, err2 := strconv.Atoi(n)
	if !ok || !ok2 || err != nil || err2 != nil || ci < 0 || ci > 999 || ti < 1 {
		return "", 0, 0
	}
	return what, syncml.StatusCode(ci), ti
}
