package attachment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go/jetstream"
)

// Backup of the object store bucket (`tanggap backup-files DIR` and
// `tanggap restore-files DIR`). The bucket holds the only copy of the
// files, so it is copied to a folder and back without the nats CLI:
//
//	DIR/objects/<name, path-escaped>  the object's bytes as stored: a sealed
//	                                  file stays sealed, a plaintext one stays
//	                                  plaintext (no key is needed or used)
//	DIR/manifest.json                 every object's name, description,
//	                                  headers, metadata, size and SHA-256
//	                                  digest; written last, so a folder
//	                                  without it is an unfinished backup
//
// Bytes stream through (one object chunk in memory at a time, never a
// whole file). The object store checks each object's digest as it is read,
// and restore compares the digest of what it stored with the manifest's.

// manifestFile names the backup's list of objects.
const manifestFile = "manifest.json"

// ErrBackupIncomplete: the folder has no manifest (the backup did not
// finish, or it is not a backup folder).
var ErrBackupIncomplete = errors.New("attachment: no " + manifestFile + " in the backup folder: the backup did not finish")

// objectsManifest is DIR/manifest.json.
type objectsManifest struct {
	Bucket  string         `json:"bucket"`
	Objects []backupObject `json:"objects"`
}

type backupObject struct {
	jetstream.ObjectMeta
	Size   uint64 `json:"size"`
	Digest string `json:"digest"`
}

// ObjectsReport counts what a backup or restore copied.
type ObjectsReport struct {
	Objects int   // copied
	Bytes   int64 // copied, as stored (sealed size when sealed)
	Already int   // restore: already in the bucket with the same digest
}

// BackupObjects copies every object of the existing bucket into dir, which
// must be missing or empty.
func BackupObjects(ctx context.Context, js jetstream.JetStream, bucket, dir string) (ObjectsReport, error) {
	var rep ObjectsReport
	store, err := js.ObjectStore(ctx, bucket)
	if err != nil {
		return rep, fmt.Errorf("attachment: backup: bucket %s: %w", bucket, err)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return rep, fmt.Errorf("attachment: backup: %s is not empty; choose a new folder", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, "objects"), 0o700); err != nil {
		return rep, fmt.Errorf("attachment: backup: %w", err)
	}
	infos, err := store.List(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		return rep, fmt.Errorf("attachment: backup: list %s: %w", bucket, err)
	}
	m := objectsManifest{Bucket: bucket, Objects: []backupObject{}}
	for _, info := range infos {
		if info.Deleted {
			continue
		}
		if info.Opts != nil && info.Opts.Link != nil {
			return rep, fmt.Errorf("attachment: backup: %q is a link; tanggap makes none", info.Name)
		}
		n, err := copyObjectOut(ctx, store, info.Name, filepath.Join(dir, "objects", url.PathEscape(info.Name)))
		if err != nil {
			return rep, err
		}
		if uint64(n) != info.Size {
			return rep, fmt.Errorf("attachment: backup: %q: read %d bytes of %d", info.Name, n, info.Size)
		}
		m.Objects = append(m.Objects, backupObject{ObjectMeta: info.ObjectMeta, Size: info.Size, Digest: info.Digest})
		rep.Objects++
		rep.Bytes += n
	}
	return rep, writeManifest(dir, m)
}

func copyObjectOut(ctx context.Context, store jetstream.ObjectStore, name, path string) (int64, error) {
	r, err := store.Get(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("attachment: backup: get %q: %w", name, err)
	}
	defer r.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("attachment: backup: %w", err)
	}
	n, err := io.Copy(f, r) // the object store checks the digest at the end
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("attachment: backup: %q: %w", name, err)
	}
	return n, nil
}

func writeManifest(dir string, m objectsManifest) error {
	tmp := filepath.Join(dir, manifestFile+".tmp")
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("attachment: backup: manifest: %w", err)
	}
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("attachment: backup: manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, manifestFile)); err != nil {
		return fmt.Errorf("attachment: backup: manifest: %w", err)
	}
	return nil
}

// RestoreObjects puts every object of the backup in dir into o's bucket.
// An object already there with the same digest is left alone; one with a
// different digest stops the restore (it never overwrites a file).
func (o *Objects) RestoreObjects(ctx context.Context, dir string) (ObjectsReport, error) {
	var rep ObjectsReport
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return rep, ErrBackupIncomplete
	}
	if err != nil {
		return rep, fmt.Errorf("attachment: restore: %w", err)
	}
	var m objectsManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return rep, fmt.Errorf("attachment: restore: %s: %w", manifestFile, err)
	}
	for _, obj := range m.Objects {
		have, err := o.os.GetInfo(ctx, obj.Name)
		switch {
		case err == nil && have.Digest == obj.Digest:
			rep.Already++
			continue
		case err == nil:
			return rep, fmt.Errorf("attachment: restore: %q is already in the bucket with other bytes", obj.Name)
		case !errors.Is(err, jetstream.ErrObjectNotFound):
			return rep, fmt.Errorf("attachment: restore: %q: %w", obj.Name, err)
		}
		if err := o.restoreOne(ctx, dir, obj); err != nil {
			return rep, err
		}
		rep.Objects++
		rep.Bytes += int64(obj.Size)
	}
	return rep, nil
}

func (o *Objects) restoreOne(ctx context.Context, dir string, obj backupObject) error {
	f, err := os.Open(filepath.Join(dir, "objects", url.PathEscape(obj.Name)))
	if err != nil {
		return fmt.Errorf("attachment: restore: %w", err)
	}
	defer f.Close()
	info, err := o.os.Put(ctx, obj.ObjectMeta, f)
	if err != nil {
		return fmt.Errorf("attachment: restore: put %q: %w", obj.Name, err)
	}
	if info.Digest != obj.Digest || info.Size != obj.Size {
		_ = o.os.Delete(ctx, obj.Name)
		return fmt.Errorf("attachment: restore: %q: the copy in the backup differs from what was backed up (digest %s, want %s)", obj.Name, info.Digest, obj.Digest)
	}
	return nil
}
