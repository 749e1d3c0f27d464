package session

import "testing"

// TestServerObjectSegmentSize: ServerConfig.ObjectSegment sets the size
// from which the data received of an object goes to a segment record:
// a 320 KiB object in chunks of 2 KiB takes 320 KiB / size - 1 records
// (the last one is joined, never saved) and no state the Server saves
// holds a segment of it and a chunk; zero means DefaultObjectSegment, and
// a size out of bounds counts as the bound. Before, the size was 64 KiB
// whatever the Server's configuration.
func TestServerObjectSegmentSize(t *testing.T) {
	const size, chunk = 320 << 10, 2 << 10
	for _, tc := range []struct {
		name      string
		set, want int
	}{
		{"16 KiB", 16 << 10, 16 << 10},
		{"default", 0, DefaultObjectSegment},
		{"below the least", 1, MinObjectSegment},
		{"above the most", 1 << 30, MaxObjectSegment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newSegTestStore()
			var h segServed
			s := NewServer(ServerConfig{Store: st, Session: h.config(), ObjectSegment: tc.set})
			bodies, whole := segObject(size, chunk)
			if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies); code != "200" {
				t.Fatalf("last chunk answered %s", code)
			}
			if len(h.got) != 1 || h.got[0] != whole {
				t.Fatalf("served %d objects, want the one of %d bytes", len(h.got), len(whole))
			}
			names, full := st.segments("DEV1")
			if want := max(0, size/tc.want-1); names != want || full != 0 {
				t.Errorf("%d segment records, %d of them not empty; want %d, all empty", names, full, want)
			}
			if most := min(tc.want, size) + chunk; st.maxHeld >= most {
				t.Errorf("a state holding %d bytes of the object saved, want under %d", st.maxHeld, most)
			}
		})
	}
}

// TestServerObjectSegmentSizesShared: Servers sharing a Store with other
// segment sizes (a change of ObjectSegment rolled out one instance at a
// time) take turns at one object: it is joined whole, and the states they
// save, whose segments are of either size, read on both.
func TestServerObjectSegmentSizesShared(t *testing.T) {
	st := newSegTestStore()
	var h segServed
	cfg := ServerConfig{Store: st, Session: h.config(), ObjectSegment: MinObjectSegment}
	small := NewServer(cfg)
	cfg.ObjectSegment = 0
	two := [2]*Server{small, NewServer(cfg)}
	bodies, whole := segObject(300<<10, 3<<10)
	if code := sendSegObject(t, func(i int) *Server { return two[i/20%2] }, "DEV1", 1, bodies); code != "200" {
		t.Fatalf("last chunk answered %s", code)
	}
	if len(h.got) != 1 || h.got[0] != whole {
		t.Fatalf("served %d objects, want the one of %d bytes", len(h.got), len(whole))
	}
	if names, full := st.segments("DEV1"); names == 0 || full != 0 {
		t.Errorf("%d segment records, %d of them not empty; want some, all empty", names, full)
	}
}

// TestObjectSegmentBounds: objectSegment, the size a Server uses for its
// ServerConfig.ObjectSegment.
func TestObjectSegmentBounds(t *testing.T) {
	for _, tc := range [][2]int{
		{-1, DefaultObjectSegment}, {0, DefaultObjectSegment}, {1, MinObjectSegment},
		{MinObjectSegment, MinObjectSegment}, {100 << 10, 100 << 10},
		{MaxObjectSegment, MaxObjectSegment}, {MaxObjectSegment + 1, MaxObjectSegment},
	} {
		if got := objectSegment(tc[0]); got != tc[1] {
			t.Errorf("objectSegment(%d) = %d, want %d", tc[0], got, tc[1])
		}
	}
}
