package xmlscan

import (
	"strings"
	"unicode/utf8"
)

// CharData reads character data at pos, up to the next '<' that starts an
// element or end tag, folding in references, CDATA sections, comments and
// processing instructions. It returns the decoded text, whether a CDATA
// section was present, and the offset of that '<'. When the run needs no
// decoding the text is a substring of the input.
func (sc *Scanner) CharData(pos int) (text string, cdata bool, next int, err error) {
	s := sc.src
	// fast path: plain text up to a tag
	i := SkipPlain3(s, pos, bcastLT, bcastAmp, bcastRSqB)
	for i < len(s) && byteClass[s[i]]&clText == 0 {
		i++
	}
	if i+1 < len(s) && s[i] == '<' && (s[i+1] == '/' || byteClass[s[i+1]]&clStart != 0) && i-pos <= sc.lim.MaxTokenBytes {
		if i > pos {
			if err := sc.token(pos); err != nil {
				return "", false, pos, err
			}
		}
		return s[pos:i], false, i, nil
	}
	start := pos
	decoded := false // the text so far is in sc.buf up to runStart
	sc.buf = sc.buf[:0]
	runStart := pos
	flush := func(p int) {
		sc.buf = append(sc.buf, s[runStart:p]...)
		decoded = true
	}
	for {
		// runs between references are read a word at a time, as above
		pos = SkipPlain3(s, pos, bcastLT, bcastAmp, bcastRSqB)
		for pos < len(s) && byteClass[s[pos]]&clText == 0 {
			pos++
		}
		if pos-start > sc.lim.MaxTokenBytes {
			return "", false, pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			if sc.fragment {
				if decoded {
					flush(pos)
					return string(sc.buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
			return "", false, pos, sc.EOF(pos)
		}
		var end int
		switch c := s[pos]; c {
		case '<':
			if err := sc.Need(pos, 2); err != nil {
				return "", false, pos, err
			}
			switch s[pos+1] {
			case '!':
				switch rest := s[pos:]; {
				case strings.HasPrefix(rest, commentOpen):
					flush(pos)
					end, err = sc.comment(pos)
				case strings.HasPrefix(rest, cdataOpen):
					flush(pos)
					end, err = sc.cdataSection(pos)
					cdata = true
				case strings.HasPrefix(rest, doctypeOpen):
					return "", false, pos, sc.errs.ScanError(pos, DOCTYPE, "")
				case CutShort(rest, commentOpen, cdataOpen, doctypeOpen):
					return "", false, pos, sc.EOF(len(s))
				default:
					// encoding/xml reads <!x> as a directive; XML has none
					// in content
					return "", false, pos, sc.MarkupDeclError(pos, `"<!--" or "<![CDATA["`)
				}
			case '?':
				flush(pos)
				end, err = sc.pi(pos)
			default:
				// an element or end tag ends the run
				if pos > start {
					if err := sc.token(start); err != nil {
						return "", false, pos, err
					}
				}
				if decoded {
					flush(pos)
					return string(sc.buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
		case '&':
			flush(pos)
			end, err = sc.ref(pos)
		case '\r':
			flush(pos)
			sc.buf = append(sc.buf, '\n')
			if pos+1 >= len(s) && !sc.fragment {
				return "", false, pos, sc.EOF(pos + 1)
			}
			end = pos + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case ']':
			if pos+3 > len(s) {
				if !sc.fragment {
					return "", false, pos, sc.EOF(len(s))
				}
				pos++ // too short for "]]>"
				continue
			}
			if s[pos+1] == ']' && s[pos+2] == '>' {
				return "", false, pos, sc.Syntax(pos, "']]>' in character data")
			}
			pos++
			continue
		default:
			n, err := sc.checkRune(pos)
			if err != nil {
				return "", false, pos, err
			}
			pos += n
			continue
		}
		if err != nil {
			return "", false, pos, err
		}
		pos, runStart = end, end
	}
}

// The openers of what may follow "<!".
const (
	commentOpen = "<!--"
	doctypeOpen = "<!DOCTYPE"
)

// CutShort reports whether rest, the input from a "<!" to its end, is
// shorter than one of openers and begins it: the input ends where one of
// them may have started.
func CutShort(rest string, openers ...string) bool {
	for _, o := range openers {
		if len(rest) < len(o) && strings.HasPrefix(o, rest) {
			return true
		}
	}
	return false
}

// comment skips the comment at pos ("<!--") and returns the offset after it.
// A comment that the input ends inside is reported at pos (Unclosed).
func (sc *Scanner) comment(pos int) (int, error) {
	s := sc.src
	i := pos + 4
	for {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			// a character the input ends inside is part of the
			// comment left open, not a fault of its own
			if err := sc.checkChars(i, cutRuneStart(s, i)); err != nil {
				return pos, err
			}
			if len(s)-pos > sc.lim.MaxTokenBytes {
				return pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
			}
			return pos, sc.unclosed(pos, "comment")
		}
		if err := sc.checkChars(i, i+j); err != nil {
			return pos, err
		}
		i += j
		if i+1 >= len(s) {
			return pos, sc.unclosed(pos, "comment") // ends with "-"
		}
		if s[i+1] == '-' {
			if i+2 >= len(s) {
				return pos, sc.unclosed(pos, "comment") // ends with "--"
			}
			if s[i+2] != '>' {
				return pos, sc.Syntax(i, "'--' in comment")
			}
			if i+3-pos > sc.lim.MaxTokenBytes {
				return pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
			}
			return i + 3, sc.token(pos)
		}
		i++
	}
}

// cdataSection reads the CDATA section at pos, appending its characters (with
// line ends normalised) to the scratch buffer, and returns the offset after it.
// A section that the input ends inside is reported at pos (Unclosed).
func (sc *Scanner) cdataSection(pos int) (int, error) {
	s := sc.src
	i := pos + 9
	j := strings.Index(s[i:], "]]>")
	if j < 0 {
		if len(s)-pos > sc.lim.MaxTokenBytes {
			return pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
		}
		if err := sc.checkChars(i, max(i, len(s)-3)); err != nil {
			return pos, err
		}
		return pos, sc.unclosed(pos, "CDATA section")
	}
	if j+12 > sc.lim.MaxTokenBytes {
		return pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
	}
	body := s[i : i+j]
	if err := sc.checkChars(i, i+j); err != nil {
		return pos, err
	}
	sc.buf = appendNormalisedEOL(sc.buf, body)
	return i + j + 3, sc.token(pos)
}

func appendNormalisedEOL(b []byte, s string) []byte {
	for {
		k := strings.IndexByte(s, '\r')
		if k < 0 {
			return append(b, s...)
		}
		b = append(b, s[:k]...)
		b = append(b, '\n')
		s = s[k+1:]
		if len(s) > 0 && s[0] == '\n' {
			s = s[1:]
		}
	}
}

// pi skips the processing instruction at pos ("<?") and returns the offset
// after it. The XML declaration is read by XMLDecl, not here. An
// instruction that the input ends inside (its target included) is
// reported at pos (Unclosed).
func (sc *Scanner) pi(pos int) (int, error) {
	s := sc.src
	target, i, err := sc.Name(pos + 2)
	if err != nil {
		if (i >= len(s) || !utf8.FullRuneInString(s[i:])) && err != ErrNeedMore {
			// Name stops at the end of the input, or at a character
			// the input ends inside, only there: the instruction runs
			// to the end, however its target was cut
			return pos, sc.unclosed(pos, "processing instruction")
		}
		return pos, err
	}
	if strings.EqualFold(target, "xml") {
		return pos, sc.Syntax(pos, "XML declaration not at the start of the document")
	}
	if strings.IndexByte(target, ':') >= 0 {
		return pos, sc.fail(pos, Prefix, "colon in processing instruction target %q", target)
	}
	j := strings.Index(s[i:], "?>")
	if j < 0 {
		if len(s)-pos > sc.lim.MaxTokenBytes {
			return pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
		}
		return pos, sc.unclosed(pos, "processing instruction")
	}
	if j > 0 && !IsSpace(s[i]) {
		return pos, sc.Syntax(i, "processing instruction target not followed by space")
	}
	if err := sc.checkChars(i, i+j); err != nil {
		return pos, err
	}
	if i+j+2-pos > sc.lim.MaxTokenBytes {
		return pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
	}
	return i + j + 2, sc.token(pos)
}
