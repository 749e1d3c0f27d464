package xmlscan

import (
	"io"
	"iter"
	"strings"
)

// TokenKind says what a Token is.
type TokenKind uint8

// The kinds of Token that Next returns.
const (
	StartToken TokenKind = iota + 1 // a start tag (also of an empty element)
	EndToken                        // an end tag (also the end of an empty element)
	TextToken                       // character data between two tags
)

// A Token is one step through a document: a start tag with its resolved
// name (its attributes through Attrs until the next start tag), an end
// tag, or the character data between two tags, decoded, with comments,
// processing instructions and CDATA sections folded in.
type Token struct {
	Kind  TokenKind
	Name  string // StartToken and EndToken: the qualified name
	Space string // StartToken: the namespace of the name ("" when none)
	Text  string // TextToken: the decoded characters
	CDATA bool   // TextToken: a CDATA section was part of it
	Self  bool   // StartToken: the tag ended with "/>"; an EndToken follows
	Start int    // offset of the token's first byte
	End   int    // offset after it
}

// docState is where Next stands in the document.
type docState uint8

const (
	beforeRoot docState = iota
	inRoot
	afterRoot
)

// Next reads the token at pos of a whole document (Init, then Next from
// offset 0 with the offset each call returns): the XML declaration,
// comments, processing instructions and white space around the root
// element are read and checked on the way; after the root element's end
// tag and what may follow it, Next returns io.EOF. A document with no
// root element, text or a second element outside it, or a DOCTYPE is a
// Syntax (or DOCTYPE) error. Over partial input it returns ErrNeedMore
// when the token is not all there; a Checkpoint taken before the call
// puts the scanner back for a retry.
func (sc *Scanner) Next(pos int) (Token, int, error) {
	s := sc.src
	switch {
	case sc.doc == afterRoot:
		end, err := sc.Misc(pos)
		if err != nil {
			return Token{}, pos, err
		}
		if end < len(s) && strings.HasPrefix(s[end:], "<!") {
			// Misc read the comments; a DOCTYPE or CDATA section is
			// named as such, here as before the root element
			return Token{}, pos, sc.OutsideDeclError(end, `"<!--"`)
		}
		if end < len(s) && s[end] != '<' {
			return Token{}, pos, sc.Syntax(end, "text outside the root element")
		}
		if end < len(s) {
			if err := sc.Need(end, 2); err != nil {
				return Token{}, pos, err
			}
			if s[end+1] == '/' {
				return Token{}, pos, sc.Syntax(end, "end tag outside the root element")
			}
			return Token{}, pos, sc.Syntax(end, "content after the root element")
		}
		if sc.partial {
			return Token{}, pos, ErrNeedMore // more may follow
		}
		return Token{}, end, io.EOF
	case sc.pendingEnd != "":
		tok := Token{Kind: EndToken, Name: sc.pendingEnd, Start: pos, End: pos}
		sc.pendingEnd = ""
		sc.Pop()
		sc.docAfterPop()
		return tok, pos, nil
	case sc.doc == beforeRoot:
		start, err := sc.Prolog(pos)
		if err != nil {
			return Token{}, pos, err
		}
		switch {
		case start >= len(s) && sc.partial:
			return Token{}, pos, ErrNeedMore
		case start >= len(s):
			return Token{}, pos, sc.Syntax(start, "no root element")
		case s[start] != '<':
			return Token{}, pos, sc.Syntax(start, "text outside the root element")
		}
		if err := sc.Need(start, 2); err != nil {
			return Token{}, pos, err
		}
		switch c := s[start+1]; {
		case c == '!':
			return Token{}, pos, sc.OutsideDeclError(start, `"<!--"`) // a DOCTYPE is refused as such
		case c == '/':
			return Token{}, pos, sc.Syntax(start, "end tag outside the root element")
		}
		return sc.startToken(start)
	}
	if pos >= len(s) || s[pos] != '<' || pos+1 < len(s) && (s[pos+1] == '!' || s[pos+1] == '?') {
		text, cdata, next, err := sc.CharData(pos)
		if err != nil {
			return Token{}, pos, err
		}
		if text != "" || cdata {
			return Token{Kind: TextToken, Text: text, CDATA: cdata, Start: pos, End: next}, next, nil
		}
		pos = next // comments and processing instructions only
	}
	if err := sc.Need(pos, 2); err != nil {
		return Token{}, pos, err
	}
	if s[pos+1] == '/' {
		name := sc.path[len(sc.path)-1].name
		end, err := sc.EndTag(pos)
		if err != nil {
			return Token{}, pos, err
		}
		sc.docAfterPop()
		return Token{Kind: EndToken, Name: name, Start: pos, End: end}, end, nil
	}
	return sc.startToken(pos)
}

// startToken reads the start tag at pos for Next.
func (sc *Scanner) startToken(pos int) (Token, int, error) {
	t, end, err := sc.StartTag(pos)
	if err != nil {
		return Token{}, pos, err
	}
	space, _ := sc.Lookup(PrefixOf(t.Name))
	sc.doc = inRoot
	if t.Self {
		sc.pendingEnd = t.Name
	}
	return Token{Kind: StartToken, Name: t.Name, Space: space, Self: t.Self, Start: pos, End: end}, end, nil
}

// docAfterPop notes, for Next, that the root element has closed.
func (sc *Scanner) docAfterPop() {
	if len(sc.path) == 0 {
		sc.doc = afterRoot
	}
}

// All returns the tokens of the document, read with Next from its start;
// the sequence ends after the root element and what follows it, or with
// the first error (ErrNeedMore over partial input).
func (sc *Scanner) All() iter.Seq2[Token, error] {
	return func(yield func(Token, error) bool) {
		for pos := 0; ; {
			tok, next, err := sc.Next(pos)
			if err == io.EOF || !yield(tok, err) || err != nil {
				return
			}
			pos = next
		}
	}
}
