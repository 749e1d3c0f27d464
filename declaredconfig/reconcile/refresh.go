package reconcile

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
)

// refresh plans the Replace and read-back of RefreshInterval.
func (p *run) refresh() error {
	st := p.st
	if st.Refresh == 0 || st.RefreshSet == st.Refresh || st.RefreshAwait != "" {
		return nil
	}
	what := strconv.FormatUint(uint64(st.Refresh), 10)
	if s, rest, _ := strings.Cut(st.RefreshTried, "\x00"); s == p.sess {
		if m, w, _ := strings.Cut(rest, "\x00"); w == what && m != p.msg {
			return nil
		}
	}
	c, err := declaredconfig.ReplaceRefreshInterval(st.Refresh)
	if err != nil {
		return errorf("device %s: %w", shown(p.device), err)
	}
	p.plan = append(p.plan, c, declaredconfig.GetRefreshInterval())
	st.RefreshAwait = p.msg
	st.RefreshTried = p.sess + "\x00" + p.msg + "\x00" + what
	return nil
}
