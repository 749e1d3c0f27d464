// Package ddf reads OMA-DM Device Description Framework (DDF) 1.2 files,
// including the Microsoft extensions of the DDF v2 bundle, into a node tree,
// and checks SyncML commands against that tree.
//
// # Reading
//
// [Parse] turns the bytes of a DDF file into a [Tree]. It accepts the files
// Microsoft publishes as they are: a UTF-8 byte order mark, the DOCTYPE
// with its internal subset, CDATA in descriptions, and the MSFT namespace
// elements (Applicability, AllowedValues, DynamicNodeNaming and the rest).
// The DOCTYPE's markup (its internal subset's declarations, comments and
// processing instructions) must be well-formed, but nothing it declares is
// used: its entities stay undefined, and no external subset is read.
// Every [Node] records its name (empty for a dynamic node, with the
// DFTitle as its placeholder), AccessType, DFFormat, Occurrence, Scope,
// DefaultValue, Description, DFType MIME type or DDF name, applicability
// (OS builds, CSP version, editions) and allowed values (enumerations,
// flags, regular expressions, numeric ranges, delimited lists).
//
// An element the DDF schemas allow once whose content a Node keeps (a
// property of DFProperties such as Description or MSFT:AllowedValues,
// the Value of AllowedValues, the Value and ValueDescription of an Enum,
// a child of MSFT:Applicability, the naming kind of DynamicNodeNaming)
// given twice is malformed, not read as the last one. So are two Nodes
// that resolve to one path, whether siblings of one name (children of
// one Node, or top-level nodes under one Path) or at different levels (a
// child B of a top-level A under ./Vendor, and a top-level B under
// ./Vendor/A; an unscoped path and the device's, ./Vendor/MSFT/X and
// ./Device/Vendor/MSFT/X, which Windows reads as one node): a node's
// path names one node, and the error points at the
// later Node and names the earlier by line, column and path. So are two
// named siblings whose names differ only in letter case where CaseSense
// CIS reads names in any case: the parent's CaseSense (its own or, with
// none, its nearest ancestor's, a top-level node's parent being the Node
// at its Path, if any) or either sibling's own; and so are two Nodes
// whose paths differ only in letter case above their parent where that
// rule reads the names as one, as a device does (a top-level Q under
// ./Vendor/P/a next to the child Q of P's child A, P saying CIS;
// Changed: names were compared in any case among siblings only, and
// Lookup found two nodes for paths a device reads as one). Dynamic
// siblings, which have no name, are not compared. Letter case is compared as Windows
// compares names ignoring case: each UTF-16 code unit mapped to its
// simple uppercase, so σ, ς and Σ are one name, but the Kelvin sign is
// not k, nor ſ s, nor ı or İ i, and letters outside the Basic
// Multilingual Plane keep their case (Changed: these four, and such
// letters, were read as their case partners, as strings.EqualFold does,
// and such siblings refused). Changed: such DDFs were accepted, and
// Lookup reached one of the nodes (two Nodes at one path across levels,
// and CIS case variants, are refused since this version; two siblings of
// one name were refused before).
//
// Malformed input yields a [*ParseError] carrying the byte offset, line,
// column, XML element path and the cause; inside a Node the cause is a
// [*NodeError] naming the DM node path as far as it is known. Input larger
// than [Limits] allows yields a [*LimitError]; the defaults suit every DDF
// Microsoft ships, and [ParseLimits] raises or lowers them.
//
// # Errors
//
// The package speaks the module's one vocabulary of errors: [ParseError]
// is the same type as syncml.DecodeError and declaredconfig.DecodeError,
// [LimitError] the same as syncml.LimitError, and the causes [ErrSyntax],
// [ErrEncoding], [ErrStructure] and [ErrLimit] are the same values as the
// sentinels of that name in syncml and declaredconfig, so errors.Is and
// errors.As work alike whichever package reports a problem. Every message
// starts with "ddf: ", once.
//
// # Looking up and checking
//
// A Tree does not change once Parse has returned it: Lookup, Check, Walk
// and the methods of its Nodes may run in many goroutines at once, as a
// server sharing one tree across sessions does.
//
// [Tree.Lookup] resolves a LocURI to its node. Segments are percent-decoded
// one by one, so "MS%20DM%20SERVER" names a dynamic node "MS DM SERVER";
// a named node wins over a dynamic sibling; a node to which CaseSense CIS
// applies (its own or its nearest ancestor's, as Parse reads it) is found
// whatever the letter case of its name, an exact name first (Changed:
// names were compared as written everywhere, so a device's ./…/provider
// reached no node where the DDF says CIS); a top-level node with an empty
// NodeName is a dynamic node under its Path; "./Vendor/MSFT/…" is read as
// "./Device/Vendor/MSFT/…" when the tree has no such root, as Windows does.
// A dynamic node that holds no value takes only the names its allowed
// values allow (a DeclaredConfiguration {DocID} is a GUID); another name
// is a [*NameError] that says which segment.
//
// [Tree.Check] validates a syncml.Command against the tree and reports every
// violation it finds, not only the first: no such node, a command the
// node's AccessType does not list, a Meta Format that differs from the
// node's DFFormat, a value that is not of the format or outside the allowed
// values, and a scope problem (deleting or adding a Permanent node, or a
// node addressed under ./User that exists only under ./Device, or the
// reverse). Atomic and Sequence are checked command by command. The result
// is nil or a [*CheckError] whose [Violation] values unwrap to the sentinels
// [ErrNoSuchNode], [ErrAccessType], [ErrFormat], [ErrValue] and [ErrScope].
//
// # Specifications
//
// OMA-DM 1.2.1 "DM Tree and Description" (DDF, node properties and
// formats); the DDFv2.xsd and DDFv2Msft.xsd schemas of Microsoft's DDF v2
// bundle for the MSFT extensions.
package ddf
