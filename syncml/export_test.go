package syncml

// SetFastDecode turns the fast reader of Unmarshal on or off and returns
// the setting before, for tests that compare it with the general reader.
func SetFastDecode(on bool) bool {
	was := fastDecode
	fastDecode = on
	return was
}
