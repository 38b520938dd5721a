package reports

import (
	"maps"
	"testing"
)

func TestCountsEncodeRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		in   map[int64]int64
	}{
		{"none", map[int64]int64{}},
		{"only zeros are none", map[int64]int64{5: 0, 9: 0}},
		{"zero seconds counts", map[int64]int64{0: 3}},
		{"seconds, tens, thousands, large counts", map[int64]int64{1: 1, 999: 70_000, 1230: 2, 86_300: 5, 259_000: 1 << 40, 5_180_000_000: 7}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := encodeCounts(c.in)
			want := maps.Clone(c.in)
			maps.DeleteFunc(want, func(_, n int64) bool { return n == 0 })
			if len(want) == 0 && b != nil {
				t.Fatalf("no counts encoded as %x, want nil", b)
			}
			got := map[int64]int64{}
			prev := int64(-1)
			if err := decodeCounts(b, func(sec, n int64) {
				if sec <= prev {
					t.Errorf("durations out of order: %d after %d", sec, prev)
				}
				prev = sec
				got[sec] += n
			}); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) {
				t.Fatalf("decoded %v, want %v", got, want)
			}
		})
	}
	for _, b := range [][]byte{{2, 1, 1}, {countsV1, 0x80}, {countsV1, 1}} {
		if err := decodeCounts(b, func(int64, int64) {}); err == nil {
			t.Errorf("%x decoded without error", b)
		}
	}
}
