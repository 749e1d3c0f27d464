// Package xmlscan is the lexical core shared by the module's XML readers
// and writers: XML 1.0 well-formedness (characters, names, references,
// character data, comments, processing instructions, CDATA sections, the
// XML declaration, tags and attributes) and Namespaces in XML (qualified
// names, declared prefixes, the reserved prefixes, no prefix bound to the
// empty name, no two attributes with the same expanded name), under
// limits.
//
// It has two halves, as encoding/json/jsontext has a Decoder over the
// stateless functions of its wire package:
//
//   - A Scanner reads a document by offsets into its input. Its state (open
//     elements, namespace declarations in scope, the attributes of the last
//     start tag, the token count) is private: callers get start tags with
//     resolved names and attributes, character data, end tags, the prolog,
//     and a nested scan of an element's content (Content) through methods,
//     and ask it for the depth, the path, a binding or a Checkpoint to
//     retry from over more input. It builds nothing: each package reads its
//     own model or tree from what the methods return.
//   - Stateless functions over bytes: name and character classes, escaping
//     for writers (AppendText, AppendAttr, AppendCDATA, and the unchecked
//     AppendTextValue and AppendAttrValue for strings a writer has checked;
//     word at a time),
//     line and column from an offset (Advance, LineCol), end-of-line
//     normalisation, the XML namespace names.
//
// Errors are made by the calling package through the Errors hook, so that
// they carry that package's types and sentinels (Cause gives the shared
// sentinel of each Kind); the scanner itself only says where, what kind
// and what.
package xmlscan
