// Package syncmltest holds test support for the syncml package and its
// users: gopter generators of SyncML messages in the model's canonical
// form, for property tests of the codec's exactness rules, the corpus of
// messages in testdata, and WindowsCheckIn, the message a server's
// benchmarks post most.
//
// It is a leaf package: it imports syncml and test libraries, and nothing
// in the module's non-test code imports it.
package syncmltest
