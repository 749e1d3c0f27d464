// Package declaredconfig implements the DeclaredConfiguration CSP of
// Windows declared configuration (WinDC): its node URIs, the documents a
// server sends, the results and the 1224 alert summary a device returns,
// the SyncML commands of the protocol, and the reading of a device's reply
// into a status per document and per setting.
//
// # Documents
//
// [Document] (DeclaredConfiguration), [Result] (DeclaredConfigurationResult),
// [Summary] (DeclaredConfigurations) and [InstanceBlob] (bulk template
// variables) implement encoding.TextMarshaler and encoding.TextUnmarshaler.
// Their attributes are strings as written; what the types do not model
// (other attributes, unknown elements) is kept and written back.
// Reading accepts a document as it comes out of a SyncML Data: with leading
// white space, a byte order mark and an XML declaration. Writing is
// canonical: compact, modeled attributes first in a fixed order, children
// grouped by kind in a fixed order, each kind in document order.
//
// Reading is strict where a device's parser would be: the input must be
// well-formed XML 1.0 and namespace-well-formed (declared prefixes, no
// prefix bound to the empty name, the reserved xml and xmlns prefixes used
// as XML requires, no two attributes with the same expanded name), with no
// DOCTYPE and no entity beyond the five predefined; a literal TAB or line
// end in an attribute value reads as a space, as XML 1.0 normalises it. A
// refused input gives a [*DecodeError] with the byte offset, line, column
// and element path, or a [*LimitError] when it exceeds one of the
// [Limits]: input bytes, nesting depth, attributes per element and in
// all, bytes per token, number of elements and namespace declarations in
// scope.
// UnmarshalText uses [DefaultLimits]; [UnmarshalLimits] takes others. With
// the default limits, whatever is accepted can be written back and sent as
// XML markup in a syncml.Data ([syncml.XML]) that syncml.Marshal and
// syncml.Unmarshal accept, in any message otherwise within syncml's
// default limits. Writing refuses values whose output would not read
// back: kept attributes or markup using undeclared prefixes, duplicate
// expanded names, bad declarations.
//
// # Reading a message
//
// [ReadMessage] decodes a whole SyncML message, as syncml.UnmarshalLimits
// does, and the documents its Items carry (by default, the Items that
// name a Document node), each as a [DocumentItem] with its document or
// the error that refused it. A document sent as markup in a Data is built
// from the tokens syncml reads from the message, so that its bytes are
// lexed once; reading the message and then each Data's value lexes them
// twice. The documents and errors are those UnmarshalLimits gives for the
// Data's value; an error's offset, line, column and path are in the
// message.
//
// # Errors
//
// The package speaks the module's one vocabulary of errors: [DecodeError]
// and [LimitError] are the same types as syncml.DecodeError and
// syncml.LimitError, and the decoding causes are the same values as
// syncml's: [ErrSyntax] and its kinds [ErrNamespace], [ErrDuplicateAttr],
// [ErrInvalidChar], [ErrEncoding], [ErrEntity] and [ErrDOCTYPE] (each also
// matches ErrSyntax), [ErrStructure], and [ErrLimit], which every
// LimitError matches. So errors.Is and errors.As work alike whichever
// package reports a problem. A limit that means the same in syncml has the
// same name, type and counting ([Limits]). The package's own conditions
// are [ErrValue] (a value that cannot be written), [ErrInvalid] (a rule of
// the CSP, see [Document.Validate]), [ErrURI] and [ErrNoSummary]. Every
// message starts with "declaredconfig: ", once, also when it carries
// another error of the package.
//
// For every value v, unmarshalling the marshalled v gives v back; for every
// accepted input, marshalling is a fixpoint after one round; and nothing
// the input carries is lost except formatting (white space between
// elements, the XML declaration, comments and processing instructions
// outside kept elements, and attribute order).
//
// # URIs and commands
//
// [URI] names a node in Device or User scope; [ParseURI] reads one and
// [CheckDocID] checks the GUID form the CSP requires. DocIDs compare in one
// way everywhere, [EqualDocID]: without regard to ASCII case, as GUIDs do.
// [Document.Validate] checks a document against its target; it accepts any
// osdefinedscenario name unless given [StrictScenario], as Microsoft's own
// samples use names the documentation does not list. The builders
// ([AddDocument], [ReplaceDocument], [DeleteDocument], [SetAbandoned],
// [GetResults], [ReplaceBulkVariables], [GetRefreshInterval]…) return
// syncml commands without a CmdID: whoever sends them numbers them (a
// session, or syncml.NumberCommands for a hand-built message).
//
// # Replies
//
// [ReadReply] collects from a device's messages (a device may answer one
// server message over several) every Status, every Results item and the
// 1224 [Summary] ([ReadReplyLimits] under other [Limits] than the
// defaults, kept in [Reply.Limits] for what Evaluate reads); [Reply.Evaluate] matches them with what the server sent
// ([Desired] documents, named by the MsgID and CmdID of the command that
// sent them, and the [Sent] Gets) and turns them into a [DocumentStatus]
// per document: in sync, pending, failed, drifted, abandoned or deleted,
// with a [SettingStatus] per setting. A Status is matched by MsgRef and
// CmdRef, a Results by the Get it answers; what cannot be matched or read
// is listed in [Evaluation.Unmatched], never dropped. A server whose
// session hands back each command sent with the MsgID of its message
// lists them as Sent and lets [Desired.SentBy] find the command that
// carried each document.
package declaredconfig
