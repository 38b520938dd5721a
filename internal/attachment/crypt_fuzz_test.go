package attachment

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzOpenSealed: whatever bytes lie in the store, reading them through a
// keyed store never panics, and either gives the bytes back as they are
// (not sealed), or fails with ErrKeyUnknown / ErrDecrypt; a sealed file
// read with its key gives exactly the sealed plaintext.
func FuzzOpenSealed(f *testing.F) {
	keys, err := ParseKeys("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		f.Fatal(err)
	}
	sealedOf := func(p []byte) []byte {
		b, err := io.ReadAll(keys.seal(bytes.NewReader(p)))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add([]byte("%PDF-1.7"), false)
	f.Add(sealedOf([]byte("halo")), false)
	f.Add(sealedOf(bytes.Repeat([]byte{1}, chunkSize+3)), false)
	f.Add(append([]byte{}, magic...), false)
	f.Add([]byte("plain"), true)
	f.Fuzz(func(t *testing.T, data []byte, roundTrip bool) {
		if roundTrip {
			data = bytes.Clone(data)
			got, err := readAllSealed(keys, sealedOf(data))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("round trip of %d bytes: %v", len(data), err)
			}
			return
		}
		got, err := readAllSealed(keys, data)
		switch {
		case err == nil:
			if !bytes.HasPrefix(data, magic) && !bytes.Equal(got, data) {
				t.Fatal("unsealed bytes changed on the way")
			}
		case errors.Is(err, ErrKeyUnknown), errors.Is(err, ErrDecrypt):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func readAllSealed(k *Keys, data []byte) ([]byte, error) {
	rc, err := k.open(io.NopCloser(bytes.NewReader(data)))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
