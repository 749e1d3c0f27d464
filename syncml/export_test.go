package syncml

// SetFastDecode turns the fast reader of Unmarshal on or off and returns
// the setting before, for tests that compare it with the general reader.
func SetFastDecode(on bool) bool {
	was := fastDecode
	fastDecode = on
	return was
}

// RaceEnabled reports whether the tests run under the race detector,
// for the external tests.
const RaceEnabled = raceEnabled
