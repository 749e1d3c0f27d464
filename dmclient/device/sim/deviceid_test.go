package sim_test

import (
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/dmclient/device/sim"
)

// parseUUID reads a urn:uuid of the 8-4-4-4-12 hex form into its 16
// bytes, or says why it is none; it also requires version 4 and the RFC
// 9562 variant (10), as DeviceID promises.
func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	rest, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok {
		return u, fmt.Errorf("%q: no urn:uuid: prefix", s)
	}
	groups := strings.Split(rest, "-")
	if len(groups) != 5 {
		return u, fmt.Errorf("%q: %d groups, want 5", s, len(groups))
	}
	var b []byte
	for i, g := range groups {
		if want := []int{8, 4, 4, 4, 12}[i]; len(g) != want || strings.ToUpper(g) != g {
			return u, fmt.Errorf("%q: group %d is %q, want %d upper-case hex digits", s, i+1, g, want)
		}
		d, err := hex.DecodeString(g)
		if err != nil {
			return u, fmt.Errorf("%q: group %d: %v", s, i+1, err)
		}
		b = append(b, d...)
	}
	copy(u[:], b)
	if u[6]>>4 != 4 {
		return u, fmt.Errorf("%q: version %d, want 4", s, u[6]>>4)
	}
	if u[8]>>6 != 2 {
		return u, fmt.Errorf("%q: variant bits %02b, want 10", s, u[8]>>6)
	}
	return u, nil
}

// idBits gives back the 64 bits of i that DeviceID put in the UUID u:
// the last six bytes, and the 16 above them from the third and fourth
// groups, past the version and variant bits. It is the inverse that
// shows distinct ints give distinct ids.
func idBits(u [16]byte) uint64 {
	var low uint64
	for _, c := range u[10:] {
		low = low<<8 | uint64(c)
	}
	hi := uint64(u[6]&0x0F)<<8 | uint64(u[7]) | uint64(u[9]&0x0F)<<12
	return hi<<48 | low
}

// TestPropertyDeviceID: every int, negative included, gives a valid
// version 4 UUID from which the int can be read back (so distinct ints
// give distinct ids), and 0 ≤ i < 2^48 give the ids they always gave.
// Before, an i outside that range gave a last group of more than 12
// digits, or with a minus sign.
func TestPropertyDeviceID(t *testing.T) {
	seed := int64(20261207)
	if v := os.Getenv("SIM_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with SIM_SEED=%d)", seed, seed)
	check := func(i int) string {
		id := sim.DeviceID(i)
		u, err := parseUUID(id)
		if err != nil {
			return fmt.Sprintf("DeviceID(%d): %v", i, err)
		}
		if got := idBits(u); got != uint64(i) {
			return fmt.Sprintf("DeviceID(%d) = %s holds %#x, want %#x", i, id, got, uint64(i))
		}
		if i >= 0 && i < 1<<48 {
			if want := fmt.Sprintf("urn:uuid:5D1C0DE5-0000-4000-8000-%012X", i); id != want {
				return fmt.Sprintf("DeviceID(%d) = %s, want %s as before", i, id, want)
			}
		}
		return ""
	}
	for _, i := range []int{0, 1, 1<<48 - 1, 1 << 48, 1<<48 + 1, 1 << 60, -1, -1 << 48, math.MaxInt, math.MinInt} {
		if msg := check(i); msg != "" {
			t.Error(msg)
		}
	}
	p := gopter.DefaultTestParametersWithSeed(seed)
	p.MinSuccessfulTests = 2000
	props := gopter.NewProperties(p)
	props.Property("DeviceID(i) is a v4 UUID holding i", prop.ForAll(check,
		gen.OneGenOf(gen.Int(), gen.IntRange(0, 1<<48-1), gen.IntRange(-1<<20, 1<<20))))
	// ints one bit apart, any of the 64: a bit DeviceID dropped would
	// make two of them one id
	props.Property("ints one bit apart give distinct ids", prop.ForAll(
		func(i int, bit uint) bool { return sim.DeviceID(i) != sim.DeviceID(i^(1<<bit)) },
		gen.Int(), gen.UIntRange(0, 63)))
	props.TestingRun(t)
}
