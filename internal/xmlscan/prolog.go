package xmlscan

import (
	"strings"

	"github.com/windc-go/windc/internal/utf8cut"
)

// XMLDecl checks the XML declaration at pos ("<?xml" and white space) and
// returns the offset after it. A declaration that the input ends inside
// is reported at pos (Unclosed).
func (sc *Scanner) XMLDecl(pos int) (int, error) {
	s := sc.src
	j := strings.Index(s[pos:], "?>")
	if j < 0 {
		if len(s)-pos > 1024 {
			return pos, sc.Syntax(pos, "unterminated XML declaration")
		}
		return pos, sc.unclosed(pos, "XML declaration")
	}
	body := s[pos+5 : pos+j]
	i := 0
	seen := 0
	for {
		k := i
		for k < len(body) && IsSpace(body[k]) {
			k++
		}
		if k == len(body) {
			break
		}
		if k == i {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		eq := strings.IndexByte(body[k:], '=')
		if eq < 0 {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		key := TrimSpace(body[k : k+eq])
		v := k + eq + 1
		for v < len(body) && IsSpace(body[v]) {
			v++
		}
		if v >= len(body) || body[v] != '"' && body[v] != '\'' {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		q := body[v]
		e := strings.IndexByte(body[v+1:], q)
		if e < 0 {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		val := body[v+1 : v+1+e]
		i = v + 2 + e
		switch {
		case key == "version" && seen == 0:
			if len(val) < 3 || val[:2] != "1." || strings.Trim(val[2:], "0123456789") != "" {
				return pos, sc.Syntax(pos, "unsupported XML version %s", utf8cut.Quote(val, 64))
			}
			seen = 1
		case key == "encoding" && seen == 1:
			// EncName: a letter, then letters, digits, '.', '_' and '-'
			if val == "" || !(val[0] >= 'a' && val[0] <= 'z' || val[0] >= 'A' && val[0] <= 'Z') ||
				strings.Trim(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
				return pos, sc.Syntax(pos, "malformed encoding name %s", utf8cut.Quote(val, 64))
			}
			seen = 2
		case key == "standalone" && seen >= 1 && seen < 3:
			if val != "yes" && val != "no" {
				return pos, sc.Syntax(pos, "malformed standalone value %s", utf8cut.Quote(val, 64))
			}
			seen = 3
		default:
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
	}
	if seen == 0 {
		return pos, sc.Syntax(pos, "XML declaration without version")
	}
	return pos + j + 2, nil
}

// Misc skips white space, comments and processing instructions at pos
// (outside the root element, or between children of an element whose
// text is not wanted). It returns the offset of the next '<' that is not
// one of those, of other text, or len(input) at the end of input.
func (sc *Scanner) Misc(pos int) (int, error) {
	s := sc.src
	for {
		pos = sc.skipSpace(pos)
		if pos >= len(s) {
			return pos, nil
		}
		if s[pos] != '<' {
			return pos, nil
		}
		if err := sc.Need(pos, 2); err != nil {
			return pos, err
		}
		switch s[pos+1] {
		case '?':
			end, err := sc.pi(pos)
			if err != nil {
				return pos, err
			}
			pos = end
		case '!':
			if CutShort(s[pos:], commentOpen) {
				return pos, sc.EOF(len(s))
			}
			if !strings.HasPrefix(s[pos:], commentOpen) {
				return pos, nil
			}
			end, err := sc.comment(pos)
			if err != nil {
				return pos, err
			}
			pos = end
		default:
			return pos, nil
		}
	}
}

// Prolog reads what may precede the root element from pos: an XML
// declaration, if one starts there, then white space, comments and
// processing instructions (Misc). It returns the offset of what follows:
// a '<' that starts neither, other text, or the end of the input. Over a
// partial input too short to tell whether a declaration starts at pos it
// returns ErrNeedMore.
func (sc *Scanner) Prolog(pos int) (int, error) {
	s := sc.src
	if err := sc.Need(pos, 6); err != nil && sc.partial {
		return pos, err
	}
	if strings.HasPrefix(s[pos:], "<?xml") && len(s) > pos+5 && IsSpace(s[pos+5]) {
		end, err := sc.XMLDecl(pos)
		if err != nil {
			return pos, err
		}
		pos = end
	}
	return sc.Misc(pos)
}
