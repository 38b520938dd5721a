package config

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load(envOf(nil), "")
	if err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
	if c.DataDir != "./data" || c.HTTPAddr != ":8080" || c.DatabaseURL != "" || c.NATSURL != "" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if got := c.BaseURL(); got != "http://localhost:8080" {
		t.Fatalf("BaseURL = %q", got)
	}
	if !c.Components["http"] || !c.Components["core"] || !c.Components["delivery"] {
		t.Fatalf("all components by default, got %v", c.Components)
	}
}

func TestEveryProblemIsListedAtOnce(t *testing.T) {
	_, err := Load(envOf(map[string]string{
		"DATABASE_URL":    "mysql://x",
		"NATS_URL":        "http://nats",
		"HTTP_ADDR":       "nope",
		"LOG_LEVEL":       "loud",
		"LOG_FORMAT":      "xml",
		"ADMIN_EMAIL":     "admin@example.go.id",
		"SESSION_TTL":     "forever",
		"NATS_REPLICAS":   "three",
		"CATEGORY_QUEUES": "nocolon",
	}), "")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("want ErrInvalid, got %v", err)
	}
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("want Problems, got %T", err)
	}
	for _, want := range []string{"DATABASE_URL", "NATS_URL", "HTTP_ADDR", "LOG_LEVEL", "LOG_FORMAT", "ADMIN_EMAIL and ADMIN_PASSWORD", "SESSION_TTL", "NATS_REPLICAS", "CATEGORY_QUEUES"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problem with %s not reported in:\n%v", want, err)
		}
	}
}

func TestOverridesAndLists(t *testing.T) {
	c, err := Load(envOf(map[string]string{
		"DATABASE_URL":         "postgres://u:secret@db:5432/cc",
		"NATS_URL":             "nats://a:4222,nats://b:4222",
		"COMPLAINT_CATEGORIES": "akun, bansos:Bantuan Sosial",
		"CATEGORY_QUEUES":      "bansos:keuangan",
		"ATTACHMENT_MAX_MB":    "8",
		"COMPONENTS":           "http,delivery",
		"SESSION_TTL":          "1h",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ComplaintCategories) != 2 || c.ComplaintCategories[1] != (Category{Code: "bansos", Label: "Bantuan Sosial"}) {
		t.Fatalf("categories: %+v", c.ComplaintCategories)
	}
	if c.CategoryQueues["bansos"] != "keuangan" || c.AttachmentMaxBytes != 8<<20 || c.SessionTTL != time.Hour {
		t.Fatalf("parsed: %+v", c)
	}
	if c.Components["core"] || !c.Components["http"] {
		t.Fatalf("components: %v", c.Components)
	}
	red := c.Redacted()
	if strings.Contains(red["database"].(string), "secret") {
		t.Fatalf("password leaked in %v", red["database"])
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("correct-horse-battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(envOf(map[string]string{"ADMIN_EMAIL": "a@b.id", "ADMIN_PASSWORD_FILE": pw}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminPassword != "correct-horse-battery" {
		t.Fatalf("password from file = %q", c.AdminPassword)
	}
	if _, err := Load(envOf(map[string]string{"ADMIN_PASSWORD_FILE": filepath.Join(dir, "missing")}), ""); err == nil {
		t.Fatal("missing secret file accepted")
	}
}

func TestDotenvLosesToEnvironment(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte("# comment\nHTTP_ADDR=:9000\nexport LOG_LEVEL=\"debug\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(envOf(map[string]string{"HTTP_ADDR": ":7000"}), p)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":7000" || c.LogLevel != "debug" {
		t.Fatalf("got addr %q level %q", c.HTTPAddr, c.LogLevel)
	}
	bad := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(bad, []byte("NOT A PAIR\n"), 0o600)
	if _, err := Load(envOf(nil), bad); err == nil {
		t.Fatal("malformed .env accepted")
	}
}

// TestEnvExampleListsEveryVariable keeps .env.example in step with the
// variables the code reads.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	read := map[string]bool{}
	_, _ = parse(func(k string) string { read[k] = true; return "" })
	raw, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _ := strings.Cut(line, "=")
		listed[k] = true
	}
	var missing, extra []string
	for k := range read {
		if strings.HasSuffix(k, "_FILE") {
			continue
		}
		if !listed[k] {
			missing = append(missing, k)
		}
	}
	for k := range listed {
		if !read[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf(".env.example out of step: missing %v, not read by the code %v", missing, extra)
	}
}

func TestVoiceSettings(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "twilio")
	if err := os.WriteFile(tok, []byte("rahasia-twilio\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(envOf(map[string]string{
		"TWILIO_AUTH_TOKEN_FILE": tok, "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_CALLER_ID": "+628001500123",
		"IVR_MENU_FILE": "/etc/tanggap/menu.yaml", "PUBLIC_URL": "https://pengaduan.example.go.id",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Voice.TwilioAuthToken != "rahasia-twilio" || c.Voice.TwilioAPIBaseURL != "https://api.twilio.com" || c.Voice.IVRMenuFile != "/etc/tanggap/menu.yaml" {
		t.Fatalf("voice = %+v", c.Voice)
	}
	if c.Redacted()["twilio_auth_token"] != "***" {
		t.Fatal("token not masked")
	}
	_, err = Load(envOf(map[string]string{
		"TWILIO_AUTH_TOKEN": "x", "TWILIO_API_BASE_URL": "api.twilio.com", "TWILIO_CALLER_ID": "0800-150-0123",
	}), "")
	for _, want := range []string{"PUBLIC_URL must be set with TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL", "TWILIO_CALLER_ID"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems do not mention %s: %v", want, err)
		}
	}
}

// Metrics listen on 127.0.0.1:9090 unless told otherwise, an empty
// METRICS_ADDR turns them off, and they are never on the public port.
func TestMetricsAddrRules(t *testing.T) {
	c, err := Load(envOf(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("default METRICS_ADDR %q, want 127.0.0.1:9090 (loopback)", c.MetricsAddr)
	}
	lookup := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	// Set empty in the environment: off.
	if c, err := LoadLookup(lookup(map[string]string{"METRICS_ADDR": ""}), ""); err != nil || c.MetricsAddr != "" {
		t.Fatalf("METRICS_ADDR set empty: %q, %v; want metrics off", c.MetricsAddr, err)
	}
	// Set empty in the .env file: off; the environment's value wins.
	env := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(env, []byte("METRICS_ADDR=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadLookup(lookup(nil), env); err != nil || c.MetricsAddr != "" {
		t.Fatalf("METRICS_ADDR empty in .env: %q, %v; want metrics off", c.MetricsAddr, err)
	}
	if c, err := LoadLookup(lookup(map[string]string{"METRICS_ADDR": "127.0.0.1:9191"}), env); err != nil || c.MetricsAddr != "127.0.0.1:9191" {
		t.Fatalf("METRICS_ADDR from the environment over an empty .env line: %q, %v", c.MetricsAddr, err)
	}
	// Set empty in the environment over a value in the file: the
	// environment's word (off) wins.
	full := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(full, []byte("METRICS_ADDR=127.0.0.1:9191\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadLookup(lookup(map[string]string{"METRICS_ADDR": ""}), full); err != nil || c.MetricsAddr != "" {
		t.Fatalf("METRICS_ADDR set empty in the environment over the .env's value: %q, %v; want metrics off", c.MetricsAddr, err)
	}
	for _, tc := range []struct{ http, metrics, want string }{
		{":8080", ":8080", "must not be the public port"},
		{"0.0.0.0:8080", "127.0.0.1:8080", "must not be the public port"},
		{":8080", "localhost", "must be host:port"},
	} {
		_, err := Load(envOf(map[string]string{"HTTP_ADDR": tc.http, "METRICS_ADDR": tc.metrics}), "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("HTTP_ADDR %q METRICS_ADDR %q: %v, want an error saying %q", tc.http, tc.metrics, err, tc.want)
		}
	}
}

// FILES_ENCRYPTION_KEY can come from a file, like the other secrets.
func TestFilesEncryptionKeyFromFile(t *testing.T) {
	key := filepath.Join(t.TempDir(), "files.key")
	const k = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	if err := os.WriteFile(key, []byte(k+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(envOf(map[string]string{"FILES_ENCRYPTION_KEY_FILE": key}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.FileStore.EncryptionKey != k {
		t.Fatalf("key from FILES_ENCRYPTION_KEY_FILE = %q, want %q", c.FileStore.EncryptionKey, k)
	}
	if _, err := Load(envOf(map[string]string{"FILES_ENCRYPTION_KEY_FILE": key + ".missing"}), ""); err == nil {
		t.Fatal("a missing FILES_ENCRYPTION_KEY_FILE accepted")
	}
}
