package reports

import (
	"encoding/binary"
	"errors"
	"slices"
)

// The counts of resolution times of one group (a dimension's value) on a
// day or in a month are stored as one encoded row: a version byte, then
// per rounded duration in ascending order the step from the previous
// duration (from 0) and the tickets counted, each an unsigned varint. A
// day of a queue with 3,000 distinct durations takes about 9 KB in one
// row instead of 3,000 rows.

const countsV1 = 1

var errCounts = errors.New("reports: malformed resolution-time counts")

// encodeCounts encodes the durations counted in c (seconds → tickets);
// counts of 0 are left out, and nil is returned when none is left. Every
// count must be ≥ 0 (a day's or a month's counts are).
func encodeCounts(c map[int64]int64) []byte {
	secs := make([]int64, 0, len(c))
	for sec, n := range c {
		if n != 0 {
			secs = append(secs, sec)
		}
	}
	if len(secs) == 0 {
		return nil
	}
	slices.Sort(secs)
	b := make([]byte, 1, 1+3*len(secs))
	b[0] = countsV1
	prev := int64(0)
	for _, sec := range secs {
		b = binary.AppendUvarint(b, uint64(sec-prev))
		b = binary.AppendUvarint(b, uint64(c[sec]))
		prev = sec
	}
	return b
}

// decodeCounts calls f with each duration and its count in b (nil or
// empty: none).
func decodeCounts(b []byte, f func(sec, n int64)) error {
	if len(b) == 0 {
		return nil
	}
	if b[0] != countsV1 {
		return errCounts
	}
	b = b[1:]
	sec := int64(0)
	for len(b) > 0 {
		d, k := binary.Uvarint(b)
		if k <= 0 {
			return errCounts
		}
		b = b[k:]
		n, k := binary.Uvarint(b)
		if k <= 0 {
			return errCounts
		}
		b = b[k:]
		sec += int64(d)
		f(sec, int64(n))
	}
	return nil
}
