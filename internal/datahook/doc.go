// Package datahook lets a package that reads documents carried as markup
// in a SyncML Data build them while syncml reads the message, so that the
// bytes of the Data are lexed once.
//
// syncml sets Unmarshal when it is initialised; declaredconfig calls it.
// Nothing else of syncml's reading changes: a decode through
// syncml.Unmarshal, UnmarshalLimits or a Decoder has no hook and does what
// it did.
package datahook
