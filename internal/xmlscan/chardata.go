package xmlscan

import (
	"strings"
)

// CharData reads character data at pos, up to the next '<' that starts an
// element or end tag, folding in references, CDATA sections, comments and
// processing instructions. It returns the decoded text, whether a CDATA
// section was present, and the offset of that '<'. When the run needs no
// decoding the text is a substring of the input.
func (sc *Scanner) CharData(pos int) (text string, cdata bool, next int, err error) {
	s := sc.S
	// fast path: plain text up to a tag
	i := SkipPlain3(s, pos, bcastLT, bcastAmp, bcastRSqB)
	for i < len(s) && byteClass[s[i]]&clText == 0 {
		i++
	}
	if i+1 < len(s) && s[i] == '<' && (s[i+1] == '/' || byteClass[s[i+1]]&clStart != 0) && i-pos <= sc.Lim.MaxTokenBytes {
		if i > pos {
			if err := sc.Token(pos); err != nil {
				return "", false, pos, err
			}
		}
		return s[pos:i], false, i, nil
	}
	start := pos
	decoded := false // the text so far is in sc.Buf up to runStart
	sc.Buf = sc.Buf[:0]
	runStart := pos
	flush := func(p int) {
		sc.Buf = append(sc.Buf, s[runStart:p]...)
		decoded = true
	}
	for {
		for pos < len(s) && byteClass[s[pos]]&clText == 0 {
			pos++
		}
		if pos-start > sc.Lim.MaxTokenBytes {
			return "", false, pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			if sc.Fragment {
				if decoded {
					flush(pos)
					return string(sc.Buf), cdata, pos, nil
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
				if err := sc.Need(pos, 4); err != nil {
					return "", false, pos, err
				}
				if s[pos+2] == '-' && s[pos+3] == '-' {
					flush(pos)
					end, err = sc.Comment(pos)
					break
				}
				if err := sc.Need(pos, 9); err != nil {
					return "", false, pos, err
				}
				if s[pos:pos+9] == "<![CDATA[" {
					flush(pos)
					end, err = sc.CDATA(pos)
					cdata = true
					break
				}
				if s[pos:pos+9] == "<!DOCTYPE" {
					return "", false, pos, sc.Errs.ScanError(pos, DOCTYPE, "")
				}
				return "", false, pos, sc.Syntax(pos, "invalid markup declaration")
			case '?':
				flush(pos)
				end, err = sc.PI(pos)
			default:
				// an element or end tag ends the run
				if pos > start {
					if err := sc.Token(start); err != nil {
						return "", false, pos, err
					}
				}
				if decoded {
					flush(pos)
					return string(sc.Buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
		case '&':
			flush(pos)
			end, err = sc.Ref(pos)
		case '\r':
			flush(pos)
			sc.Buf = append(sc.Buf, '\n')
			if pos+1 >= len(s) && !sc.Fragment {
				return "", false, pos, sc.EOF(pos + 1)
			}
			end = pos + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case ']':
			if pos+3 > len(s) {
				if !sc.Fragment {
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
			n, err := sc.CheckRune(pos)
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

// Comment skips the comment at pos ("<!--") and returns the offset after it.
func (sc *Scanner) Comment(pos int) (int, error) {
	s := sc.S
	i := pos + 4
	for {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			if err := sc.CheckChars(i, len(s)); err != nil {
				return pos, err
			}
			if len(s)-pos > sc.Lim.MaxTokenBytes {
				return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
			}
			return pos, sc.EOF(len(s))
		}
		if err := sc.CheckChars(i, i+j); err != nil {
			return pos, err
		}
		i += j
		if err := sc.Need(i, 2); err != nil {
			return pos, err
		}
		if s[i+1] == '-' {
			if err := sc.Need(i, 3); err != nil {
				return pos, err
			}
			if s[i+2] != '>' {
				return pos, sc.Syntax(i, "'--' in comment")
			}
			if i+3-pos > sc.Lim.MaxTokenBytes {
				return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
			}
			return i + 3, sc.Token(pos)
		}
		i++
	}
}

// CDATA reads the CDATA section at pos, appending its characters (with
// line ends normalised) to Buf, and returns the offset after it.
func (sc *Scanner) CDATA(pos int) (int, error) {
	s := sc.S
	i := pos + 9
	j := strings.Index(s[i:], "]]>")
	if j < 0 {
		if len(s)-pos > sc.Lim.MaxTokenBytes {
			return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
		}
		if err := sc.CheckChars(i, max(i, len(s)-3)); err != nil {
			return pos, err
		}
		return pos, sc.EOF(len(s))
	}
	if j+12 > sc.Lim.MaxTokenBytes {
		return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
	}
	body := s[i : i+j]
	if err := sc.CheckChars(i, i+j); err != nil {
		return pos, err
	}
	sc.Buf = appendNormalisedEOL(sc.Buf, body)
	return i + j + 3, sc.Token(pos)
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

// PI skips the processing instruction at pos ("<?") and returns the offset
// after it. The XML declaration is read by XMLDecl, not here.
func (sc *Scanner) PI(pos int) (int, error) {
	s := sc.S
	target, i, err := sc.Name(pos + 2)
	if err != nil {
		return pos, err
	}
	if strings.EqualFold(target, "xml") {
		return pos, sc.Syntax(pos, "XML declaration not at the start of the document")
	}
	if strings.IndexByte(target, ':') >= 0 {
		return pos, sc.Fail(pos, Prefix, "colon in processing instruction target %q", target)
	}
	j := strings.Index(s[i:], "?>")
	if j < 0 {
		if len(s)-pos > sc.Lim.MaxTokenBytes {
			return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
		}
		return pos, sc.EOF(len(s))
	}
	if j > 0 && !IsSpace(s[i]) {
		return pos, sc.Syntax(i, "processing instruction target not followed by space")
	}
	if err := sc.CheckChars(i, i+j); err != nil {
		return pos, err
	}
	if i+j+2-pos > sc.Lim.MaxTokenBytes {
		return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
	}
	return i + j + 2, sc.Token(pos)
}
