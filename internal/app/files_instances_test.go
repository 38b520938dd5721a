package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
)

// natsFiles keeps cfg's files in a JetStream object store bucket of the
// test's own, removed from a shared NATS server after the test.
func natsFiles(t *testing.T, cfg *config.Config) {
	t.Helper()
	cfg.FileStore.Kind = "nats"
	cfg.FileStore.Bucket = "files_" + strings.ReplaceAll(cfg.NATSSubjectPrefix, ".", "_")
	if cfg.NATSURL == "" {
		return
	}
	url, bucket := cfg.NATSURL, cfg.FileStore.Bucket
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer nc.Close()
		if js, err := jetstream.New(nc); err == nil {
			_ = js.DeleteObjectStore(context.Background(), bucket)
		}
	})
}

// replyWithFile has the admin of a answer a new complaint with a PDF and
// returns the complaint's tracking number, the file's id and its bytes.
func replyWithFile(t *testing.T, a *app.App) (tn string, fileID int64, pdf []byte) {
	t.Helper()
	citizen, admin := apptest.NewClient(t, a.URL()), apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	tn = citizen.Complaint(map[string]string{"name": "Siti Aminah", "phone": "0812 3456 7890",
		"category": "insentif", "description": "Mohon surat keterangan pencairan insentif."})
	id := admin.TicketID(tn, "scope=all")
	// Larger than an object store chunk (128 KiB) and than a sealed
	// chunk (64 KiB): the download streams several of each.
	pdf = []byte("%PDF-1.7\n% surat keterangan " + tn + "\n" + strings.Repeat("% isi surat\n", 30000) + "%%EOF\n")
	res := admin.Multipart(fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Berikut suratnya."},
		[]apptest.File{{Name: "surat-keterangan.pdf", Data: pdf}})
	if res.Status != http.StatusCreated {
		t.Fatalf("file reply on A: %d %s", res.Status, res.Body)
	}
	var sent struct {
		Attachments []struct {
			ID int64 `json:"id"`
		} `json:"attachments"`
	}
	res.JSON(t, &sent)
	if len(sent.Attachments) != 1 {
		t.Fatalf("file reply on A: %s", res.Body)
	}
	return tn, sent.Attachments[0].ID, pdf
}

// TestFilesAcrossInstances: with FILES_STORE=nats (and encryption at
// rest) a file an agent sends through instance A is read through instance
// B, by an agent and by the
// citizen on the status page, the same bytes. B has a DATA_DIR of its own
// wherever the database allows it (PostgreSQL), so the bytes can only
// have come from the object store. With the local folder and a DATA_DIR
// of its own, B answers 404: only the instance that stored a file reads
// it (README, FILES_STORE).
func TestFilesAcrossInstances(t *testing.T) {
	ownDataDir := func(b *config.Config) {
		// On SQLite the database is a file in DATA_DIR: both instances
		// share that folder, the local file store included.
		if b.DatabaseURL != "" {
			b.DataDir = t.TempDir()
		}
	}
	t.Run("object store: B reads what A stored", func(t *testing.T) {
		a, b, _ := apptest.StartTwoWith(t, func(ca, cb *config.Config) {
			natsFiles(t, ca)
			key := make([]byte, 32)
			rand.Read(key)
			ca.FileStore.EncryptionKey = base64.StdEncoding.EncodeToString(key)
			cb.FileStore = ca.FileStore
			ownDataDir(cb)
		})
		tn, fileID, pdf := replyWithFile(t, a)

		agent := apptest.NewClient(t, b.URL())
		agent.Login(apptest.AdminEmail, apptest.AdminPassword)
		got := agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", fileID), nil)
		if got.Status != http.StatusOK || !bytes.Equal(got.Body, pdf) {
			t.Fatalf("agent download on B: %d %q, want the %d bytes sent on A", got.Status, got.Body, len(pdf))
		}
		citizen := apptest.NewClient(t, b.URL())
		path := fmt.Sprintf("/api/v1/complaints/%s/files/%d?contact=081234567890", tn, fileID)
		testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
			got := citizen.Do(http.MethodGet, path, nil)
			if got.Status != http.StatusOK || !bytes.Equal(got.Body, pdf) {
				return fmt.Errorf("citizen download on B: %d %q", got.Status, got.Body)
			}
			return nil
		})
	})
	t.Run("local folder: B does not read what A stored", func(t *testing.T) {
		if os.Getenv(testenv.EnvDatabaseURL) == "" {
			t.Skip("on SQLite both instances share DATA_DIR, where the database lives")
		}
		a, b, _ := apptest.StartTwoWith(t, func(_, cb *config.Config) { ownDataDir(cb) })
		_, fileID, pdf := replyWithFile(t, a)
		admin := apptest.NewClient(t, a.URL())
		admin.Login(apptest.AdminEmail, apptest.AdminPassword)
		if got := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", fileID), nil); got.Status != http.StatusOK || !bytes.Equal(got.Body, pdf) {
			t.Fatalf("download on A: %d", got.Status)
		}
		agent := apptest.NewClient(t, b.URL())
		agent.Login(apptest.AdminEmail, apptest.AdminPassword)
		if got := agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", fileID), nil); got.Status != http.StatusNotFound {
			t.Fatalf("download on B with its own folder: %d %q, want 404", got.Status, got.Body)
		}
	})
}
