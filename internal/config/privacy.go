package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FileStore says where attachments and recordings are kept (FILES_STORE*)
// and whether they are encrypted at rest (FILES_ENCRYPTION_KEY).
type FileStore struct {
	// Kind is "local" (a folder under DataDir: one instance only) or
	// "nats" (JetStream's object store, read by every instance).
	Kind     string
	Bucket   string
	Replicas int // 0: NATS_REPLICAS
	// EncryptionKey: comma-separated 32-byte keys (base64 or hex); the
	// first seals new files, all open old ones. Empty: no encryption.
	EncryptionKey string
}

// Retention is how long each class of personal data is kept (RETENTION_*);
// 0 keeps it. The purge keeps tickets and their figures.
type Retention struct {
	MessageBodies time.Duration
	Attachments   time.Duration // attachments and recordings
	Identities    time.Duration // contacts' names, numbers, addresses
	Audit         time.Duration // the view audit
	// Interval between purges; 0 runs none (the API can still run one).
	Interval time.Duration
}

func defaultFileStore() FileStore { return FileStore{Kind: "local", Bucket: "tanggap_files"} }

func defaultRetention() Retention { return Retention{Interval: 24 * time.Hour} }

func parseFileStore(get func(string) string, secret func(string) string, f *FileStore, p *Problems) {
	if v := get("FILES_STORE"); v != "" {
		if v != "local" && v != "nats" {
			*p = append(*p, fmt.Sprintf("FILES_STORE: %q is not local or nats", v))
		} else {
			f.Kind = v
		}
	}
	if v := get("FILES_NATS_BUCKET"); v != "" {
		if !validBucket(v) {
			*p = append(*p, fmt.Sprintf("FILES_NATS_BUCKET: %q may hold only letters, digits, - and _", v))
		} else {
			f.Bucket = v
		}
	}
	if v := get("FILES_NATS_REPLICAS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			*p = append(*p, fmt.Sprintf("FILES_NATS_REPLICAS: %q must be a whole number from 1 to 5", v))
		} else {
			f.Replicas = n
		}
	}
	f.EncryptionKey = secret("FILES_ENCRYPTION_KEY")
}

func validBucket(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

func parseRetention(get func(string) string, r *Retention, p *Problems) {
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{
		{"RETENTION_MESSAGE_BODIES", &r.MessageBodies},
		{"RETENTION_ATTACHMENTS", &r.Attachments},
		{"RETENTION_IDENTITIES", &r.Identities},
		{"RETENTION_AUDIT", &r.Audit},
		{"RETENTION_PURGE_INTERVAL", &r.Interval},
	} {
		s := get(v.name)
		if s == "" {
			continue
		}
		d, err := parseDays(s)
		if err != nil || d < 0 {
			*p = append(*p, fmt.Sprintf("%s: %q is not a duration (e.g. 730d, 12h, 0 to keep)", v.name, s))
			continue
		}
		*v.dst = d
	}
	if r.Interval != 0 && r.Interval < time.Minute {
		*p = append(*p, "RETENTION_PURGE_INTERVAL: at least 1m, or 0 for none")
	}
}

// parseDays reads a Go duration, or a whole number of days ("730d").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	if s == "0" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// FileStoreReplicas is how many copies the JetStream file bucket keeps:
// FILES_NATS_REPLICAS, else NATS_REPLICAS.
func (c Config) FileStoreReplicas() int {
	if c.FileStore.Replicas != 0 {
		return c.FileStore.Replicas
	}
	return c.NATSReplicas
}
