package discovery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// propertySeed is fixed so that failures reproduce; it is logged.
const propertySeed = 20240912

// deepDiff returns "" when x and y are equal as cmp sees them, and
// cmp.Diff's report otherwise. reflect.DeepEqual decides first, in linear
// time: cmp compares each slice element twice, so it alone costs 2^n on
// a value nested n deep. cmp.Diff runs only on a DeepEqual mismatch and
// still has the last word. The fuzz targets compare the same way.
func deepDiff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}

func propertyParameters(t *testing.T) *gopter.TestParameters {
	t.Logf("gopter seed %d", propertySeed)
	p := gopter.DefaultTestParametersWithSeed(propertySeed)
	p.MinSuccessfulTests = 1000
	p.MaxSize = 40
	return p
}

// genRune favours the characters an encoder must escape, then ASCII,
// then the BMP, then any valid rune.
func genRune() gopter.Gen {
	special := []any{'"', '\\', '/', '<', '>', '&', '\n', '\r', '\t', '\b', '\f', rune(0), rune(0x1f), rune(0x7f),
		'\u2028', '\u2029', '\ufffd', '\ufeff', 'é', '😀', rune(utf8.MaxRune)}
	return gen.Frequency(map[int]gopter.Gen{
		3: gen.OneConstOf(special...),
		4: gen.RuneRange(0, 0x7f),
		2: gen.RuneRange(0x80, 0xffff).SuchThat(utf8.ValidRune),
		1: gen.Rune(),
	})
}

func genString() gopter.Gen {
	return gen.Frequency(map[int]gopter.Gen{
		2:  gen.Const(""),
		3:  gen.OneConstOf(" ", " a ", "johndoe@contoso.com", "10.0.26100.1301", "https://manage.contoso.com/x?a=1&b=<2>"),
		10: gen.SliceOf(genRune()).Map(func(r []rune) string { return string(r) }),
	})
}

func genEnrollmentType() gopter.Gen {
	return gen.Frequency(map[int]gopter.Gen{
		4: gen.Const((*EnrollmentType)(nil)),
		2: gen.OneConstOf(EnrollmentType(""), EnrollmentTypeDevice, EnrollmentTypeUser).Map(func(t EnrollmentType) *EnrollmentType { return &t }),
		3: genString().Map(func(s string) *EnrollmentType { t := EnrollmentType(s); return &t }),
	})
}

func genRequest() gopter.Gen {
	return gopter.CombineGens(genString(), genString(), genString(), genString(), genEnrollmentType(), genString()).
		Map(func(v []any) Request {
			return Request{
				UserDomain: v[0].(string), UPN: v[1].(string), TenantID: v[2].(string),
				EMMDeviceID: v[3].(string), EnrollmentType: v[4].(*EnrollmentType), OSVersion: v[5].(string),
			}
		})
}

func genResponse() gopter.Gen {
	gens := make([]gopter.Gen, 9)
	for i := range gens {
		gens[i] = genString()
	}
	gens[6] = gen.Frequency(map[int]gopter.Gen{
		2: gen.OneConstOf(AuthPolicyFederated, AuthPolicyCertificate),
		1: genString().Map(func(s string) AuthPolicy { return AuthPolicy(s) }),
	})
	return gopter.CombineGens(gens...).Map(func(v []any) Response {
		return Response{
			EnrollmentServiceURL: v[0].(string), EnrollmentVersion: v[1].(string),
			EnrollmentPolicyServiceURL: v[2].(string), AuthenticationServiceURL: v[3].(string),
			ManagementResource: v[4].(string), TouURL: v[5].(string), AuthPolicy: v[6].(AuthPolicy),
			ErrorCode: v[7].(string), Message: v[8].(string),
		}
	})
}

// codec is the pair of operations the properties exercise, for either
// type.
type codec[T any] interface {
	*T
	json.Marshaler
	json.Unmarshaler
}

// checkExact returns "" when decode(encode(v)) equals v, encode is a
// fixed point, json.Marshal agrees with MarshalJSON, and encoding/json
// reads the same members back.
func checkExact[T any, P codec[T]](v T) string {
	enc, err := P(&v).MarshalJSON()
	if err != nil {
		return fmt.Sprintf("MarshalJSON: %v", err)
	}
	std, err := json.Marshal(P(&v))
	if err != nil || !bytes.Equal(std, enc) {
		return fmt.Sprintf("json.Marshal = %s, %v; MarshalJSON = %s", std, err, enc)
	}
	var back T
	if err := P(&back).UnmarshalJSON(enc); err != nil {
		return fmt.Sprintf("UnmarshalJSON(%s): %v", enc, err)
	}
	if diff := deepDiff(v, back); diff != "" {
		return fmt.Sprintf("decode(encode(v)) != v (-v +back):\n%s", diff)
	}
	enc2, err := P(&back).MarshalJSON()
	if err != nil || !bytes.Equal(enc, enc2) {
		return fmt.Sprintf("encode not a fixed point: %s then %s (%v)", enc, enc2, err)
	}
	var std2 T
	if err := json.Unmarshal(enc, P(&std2)); err != nil || deepDiff(v, std2) != "" {
		return fmt.Sprintf("json.Unmarshal disagrees: %v", err)
	}
	var members map[string]string
	if err := json.Unmarshal(enc, &members); err != nil {
		return fmt.Sprintf("plain encoding/json rejects %s: %v", enc, err)
	}
	return ""
}

func TestPropertyRequestRoundTrip(t *testing.T) {
	props := gopter.NewProperties(propertyParameters(t))
	props.Property("decode(encode(x)) == x and encode is a fixed point", prop.ForAll(
		func(r Request) string { return checkExact(r) }, genRequest()))
	props.TestingRun(t)
}

func TestPropertyResponseRoundTrip(t *testing.T) {
	props := gopter.NewProperties(propertyParameters(t))
	props.Property("decode(encode(x)) == x and encode is a fixed point", prop.ForAll(
		func(r Response) string { return checkExact(r) }, genResponse()))
	props.TestingRun(t)
}

// noncanonical writes the members of a canonical encoding in a shuffled
// order, with random white space and random \u escapes, the way another
// JSON writer might.
func noncanonical(rng *rand.Rand, canonical []byte) []byte {
	var members map[string]string
	if err := json.Unmarshal(canonical, &members); err != nil {
		panic(err)
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	ws := func() string { return []string{"", " ", "\n", "\t", "\r\n  "}[rng.Intn(5)] }
	var b strings.Builder
	b.WriteString(ws() + "{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(ws() + ",")
		}
		b.WriteString(ws() + quoteLoosely(rng, k) + ws() + ":" + ws() + quoteLoosely(rng, members[k]))
	}
	b.WriteString(ws() + "}" + ws())
	return []byte(b.String())
}

func quoteLoosely(rng *rand.Rand, s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		mustEscape := r < 0x20 || r == '"' || r == '\\'
		if !mustEscape && rng.Intn(3) > 0 {
			b.WriteRune(r)
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(&b, `\u%04X\u%04x`, r1, r2)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestPropertyNoncanonicalInput(t *testing.T) {
	props := gopter.NewProperties(propertyParameters(t))
	rng := rand.New(rand.NewSource(propertySeed))
	props.Property("any accepted spelling decodes to the value and re-encodes canonically", prop.ForAll(
		func(v Request) string {
			canonical, err := v.MarshalJSON()
			if err != nil {
				return err.Error()
			}
			in := noncanonical(rng, canonical)
			var got Request
			if err := got.UnmarshalJSON(in); err != nil {
				return fmt.Sprintf("UnmarshalJSON(%s): %v", in, err)
			}
			if diff := deepDiff(v, got); diff != "" {
				return fmt.Sprintf("input %s (-want +got):\n%s", in, diff)
			}
			again, err := got.MarshalJSON()
			if err != nil || !bytes.Equal(again, canonical) {
				return fmt.Sprintf("re-encoding %s != canonical %s", again, canonical)
			}
			return ""
		}, genRequest()))
	props.TestingRun(t)
}

func TestPropertyOSVersion(t *testing.T) {
	props := gopter.NewProperties(propertyParameters(t))
	props.Property("ParseOSVersion(v.String()) == v", prop.ForAll(
		func(a, b, c, d uint32) bool {
			v := OSVersion{a, b, c, d}
			got, err := ParseOSVersion(v.String())
			return err == nil && got == v && (&Request{OSVersion: v.String()}).Validate() == nil
		}, gen.UInt32(), gen.UInt32(), gen.UInt32(), gen.UInt32()))
	props.TestingRun(t)
}
