// Package syncml is a typed model and a streaming codec for OMA-DM SyncML
// messages (SyncML 1.1.2 and 1.2 as spoken by Windows MDM).
//
// # Model
//
// A [Message] holds a [Header] (SyncHdr; [Message.NoHeader] records a
// message without one) and a [Body] (SyncBody). The body is
// an ordered list of [Command] values: [*Add], [*Alert], [*Atomic], [*Copy],
// [*Delete], [*Exec], [*Get], [*Replace], [*Results], [*Sequence] and
// [*Status]. Any other element under SyncBody, Atomic or Sequence decodes to
// [*Unknown], which keeps its bytes and writes them back verbatim. The
// Command interface gives the parts commands share without a type switch:
// element name, CmdID, items ([Command.ItemList]) and nested commands
// ([Command.Nested]); [Targets] lists the items' Target LocURIs.
//
// Commands are plain structs, built as literals:
//
//	get := &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevDetail/SwV"}}}}
//
// This package has no constructor per command: session has builders for
// the session's own commands (alerts, client events, Gets of many
// nodes), and the packages of the configuration service providers
// (dmclient, declaredconfig) for their nodes. Builders, and literals written this way,
// leave CmdID empty: the session numbers what it sends, and
// [NumberCommands] numbers a hand-built message.
//
// Status and alert codes are typed ([StatusCode], [AlertCode]): code.Data()
// gives the Data to put in a Status or Alert, and [Status.Code] and
// [Alert.Code] read it back, with an error for a code that is not a number.
//
// Payloads live in [Data], which records how they were carried: plain text,
// CDATA, or XML markup (reachable as an etree element with [Data.Element]).
// The value a caller reads is always the decoded characters.
//
// # Reading and writing
//
// [Unmarshal] and [Marshal] handle whole messages; [UnmarshalOwned] is
// Unmarshal for a buffer the caller hands over (such as a request body
// read for one call), whose strings then share its memory instead of a
// copy. [NewDecoder] streams a
// message from an io.Reader one top-level command at a time, with memory
// bounded by the largest command, or reads it whole with
// [Decoder.Decode]; [NewEncoder] writes a message incrementally and
// produces the same bytes as [Marshal].
//
// Unmarshal, UnmarshalOwned and Marshal may run in many goroutines at once
// on different messages. A Decoder or an Encoder holds one stream's state
// and must not be used by two goroutines at once: that is a data race,
// whose effects are undefined (an Encoder's buffer, taken from a pool that
// Marshal shares, could end up in two messages).
//
// The decoder is a purpose-built scanner, not encoding/xml. It enforces XML
// 1.0 well-formedness (one root, names, character references, the five
// predefined entities only, no DOCTYPE, no duplicate attributes, declared
// prefixes) and tolerates what real devices send: SyncML 1.1, 1.2 or no
// namespace (elements in the message's namespace or none), the metinf
// namespace on Meta and anywhere inside it or missing, a UTF-8 BOM, UTF-16
// with a BOM, UTF-8 bytes labelled utf-16, and declared legacy encodings.
// Resource use is bounded by [Limits]; exceeding one yields a [*LimitError],
// malformed input a [*DecodeError] with offset, line, column and element path.
//
// Elements of the model take no attributes but namespace declarations (and
// msft:originalerror on Data); any other is [ErrStructure], xml:space and
// xml:lang too, though XML allows them everywhere: the model has no field
// to keep them, and reading past one would lose it from the round trip.
// What xml:space="preserve" asks is what the codec does anyway (text is
// kept exactly as written, and the white space between child elements is
// not content in SyncML). Inside Data's element content, kept as markup,
// they are kept as they are.
//
// Encoding labels are looked up in the WHATWG table of
// golang.org/x/net/html/charset, except the US-ASCII, ISO-8859-1,
// ISO-8859-9 and TIS-620 (ISO-8859-11) families: that table reads them as
// Windows code pages, which is right for HTML, while XML means what IANA's
// registry says, so they are read here as the registry defines them.
// ISO-8859-1 maps 0x80 to U+0080, not €, and US-ASCII refuses every byte
// from 0x80 up. Bytes invalid in the encoding are [ErrEncoding], never
// replaced (GB18030's own four bytes for U+FFFD are a character, not an
// error).
//
// # Errors
//
// The module has one vocabulary of errors, which this package, syncml/ddf,
// declaredconfig and discovery share: one decode error type ([DecodeError]:
// Offset, Line, Column, Path and the cause Err, which it unwraps), one
// limit error type ([LimitError]: the Limit by its Limits field name, its
// value Max, and Offset and Path where it was exceeded; it matches
// [ErrLimit]), and one sentinel per condition ([ErrSyntax] and its kinds
// [ErrDOCTYPE], [ErrEntity], [ErrNamespace], [ErrDuplicateAttr],
// [ErrInvalidChar] and [ErrEncoding], which also match ErrSyntax;
// [ErrStructure]; [ErrLimit]). declaredconfig.DecodeError is the same type
// as DecodeError and declaredconfig.ErrSyntax the same value as ErrSyntax,
// so errors.Is and errors.As work alike whichever package reports a
// problem. A limit that means the same in two packages has the same name
// and type there (MaxBytes int64, MaxDepth, MaxAttrs, MaxTokenBytes,
// MaxNamespaces) and is passed the same way, in a Limits value
// ([UnmarshalLimits], [Decoder.SetLimits]). Every message starts with
// "syncml: ", once. Input that ends too soon matches io.ErrUnexpectedEOF
// as well as ErrSyntax; when a comment, CDATA section or processing
// instruction is left open, the error stands where it starts
// ("unterminated comment"), not at the end of the input it swallowed.
//
// # Exactness
//
// Marshal writes a canonical form: compact, children in DTD order, text
// escaped where it cannot appear raw. For every Message m that Marshal
// accepts, Unmarshal(Marshal(m)) equals m, and for every accepted input b,
// Marshal(Unmarshal(Marshal(Unmarshal(b)))) equals Marshal(Unmarshal(b)).
// The normalisations the canonical form applies are listed in README.md of
// the module ("Exactness").
//
// # Protocol rules
//
// The decoder checks structure, not protocol rules. [Message.Validate]
// checks the rules Windows enforces (CmdID present and unique, Final last,
// Exec with one Item, what Atomic may hold, Status references), and
// [ParseLocURI] splits and normalises a LocURI.
package syncml
