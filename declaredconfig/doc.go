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
// For every value v, unmarshalling the marshalled v gives v back; for every
// accepted input, marshalling is a fixpoint after one round; and nothing
// the input carries is lost except formatting (white space between
// elements, the XML declaration, comments and processing instructions
// outside kept elements, and attribute order).
//
// # URIs and commands
//
// [URI] names a node in Device or User scope; [ParseURI] reads one and
// [CheckDocID] checks the GUID form the CSP requires. The builders
// ([AddDocument], [ReplaceDocument], [DeleteDocument], [SetAbandoned],
// [GetResults], [ReplaceBulkVariables], [GetRefreshInterval]…) return
// syncml commands ready to place in a message.
//
// # Replies
//
// [ReadReply] collects from a device's message the Status of the server's
// commands, the Results of its Gets and the 1224 [Summary];
// [Reply.Evaluate] turns them, with what the server sent ([Desired]), into
// a [DocumentStatus] per document: in sync, pending, failed, drifted,
// abandoned or deleted, with a [SettingStatus] per setting.
package declaredconfig
