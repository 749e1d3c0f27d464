// Package nodename holds the one rule for what a DM node name may be once
// percent-decoded: not empty, not "." or "..", UTF-8, with no '/' and no
// control character (C0, DEL or C1). syncml.ParseLocURI applies it to
// each segment of a LocURI it decodes, and syncml/ddf's Parse to each
// NodeName (a name a LocURI must be able to reach), through the same
// functions, so that the two cannot drift apart. Checking allocates
// nothing: the errors are package values.
package nodename
