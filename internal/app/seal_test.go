package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/attachment"
)

// TestServerSealsFilesStoredBeforeTheKey: a file stored without
// encryption, then the server started with FILES_ENCRYPTION_KEY: the
// server seals it in the background, in place, and it reads back the same.
func TestServerSealsFilesStoredBeforeTheKey(t *testing.T) {
	cfg := apptest.Config(t)
	key := make([]byte, 32)
	rand.Read(key)
	cfg.FileStore.Kind = "local"
	cfg.FileStore.EncryptionKey = base64.StdEncoding.EncodeToString(key)
	ctx := context.Background()
	plain, err := attachment.NewLocal(cfg.AttachmentDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.7\nsurat keterangan\n%%EOF")
	st, err := plain.Put(ctx, bytes.NewReader(data), 1<<20, attachment.Documents)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Start(t, cfg)

	keys, err := attachment.ParseKeys(cfg.FileStore.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	d, err := attachment.NewDir(cfg.AttachmentDir())
	if err != nil {
		t.Fatal(err)
	}
	sealed := attachment.New(d, keys)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := sealed.Sealed(ctx, st.Key)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the file stored before the key is still plaintext")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := sealed.Open(ctx, st.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(r); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("read back %q %v", got.Bytes(), err)
	}
}
