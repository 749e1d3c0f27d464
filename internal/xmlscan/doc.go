// Package xmlscan is the lexical core shared by the module's XML readers:
// XML 1.0 well-formedness (characters, names, references, character data,
// comments, processing instructions, CDATA sections, the XML declaration,
// tags and attributes) and Namespaces in XML (qualified names, declared
// prefixes, the reserved prefixes, no prefix bound to the empty name, no
// two attributes with the same expanded name), under limits.
//
// A Scanner works on offsets into its input. It builds nothing: each
// package reads its own model or tree from what the methods return. Errors
// are made by the package through the Errors hook, so that they carry the
// package's types and sentinels; the scanner itself only says where, what
// kind and what.
package xmlscan
