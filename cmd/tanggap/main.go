// Command tanggap runs the contact center. With no arguments (or "serve")
// it runs every component on the configured database and NATS, falling back
// to an embedded SQLite file and an in-process NATS server; "migrate"
// applies the database migrations and exits.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "time/tzdata" // province time zones must load on servers without zone files

	"tanggap/internal/app"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/logging"
	"tanggap/internal/migrate"
)

const usage = `usage: tanggap [command]

commands:
  serve     run the contact center (default)
  migrate   apply database migrations and exit
  backup F  copy the embedded SQLite database to the new file F, online
  backup-files D   copy every file of the FILES_STORE=nats bucket to the new folder D, online
  restore-files D  put the files of the backup folder D back into the bucket
  seal-files  seal the local files stored before FILES_ENCRYPTION_KEY was set
  help      show this help

Configuration comes from the environment and an optional .env file;
see .env.example.
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(os.Stdout, usage)
		return 0
	}
	cfg, err := config.LoadLookup(os.LookupEnv, ".env")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	log := logging.New(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	switch cmd {
	case "serve":
		return serve(cfg, log)
	case "migrate":
		return runMigrate(cfg, log)
	case "backup": // backup.go: online copy of the embedded database
		return runBackup(cfg, log, args[1:])
	case "backup-files": // files_backup.go: the object store bucket to a folder
		return runBackupFiles(cfg, log, args[1:])
	case "restore-files": // files_backup.go: and back
		return runRestoreFiles(cfg, log, args[1:])
	case "seal-files": // seal.go: encrypt files stored before the key
		return runSeal(cfg, log)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func serve(cfg config.Config, log *slog.Logger) int {
	started := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("starting", "config", cfg.Redacted())
	// Serve waits for NATS (retrying; the HTTP port answers /healthz 200
	// and 503 elsewhere meanwhile) but not for the database: the
	// gateways take messages meanwhile and the core starts when the
	// database answers ("core started" in the log; /readyz/core).
	a, err := app.Serve(ctx, cfg, log)
	if err != nil {
		if ctx.Err() != nil {
			log.Info("stopped before NATS answered", "err", err)
			return 0
		}
		log.Error("start failed", "err", err)
		return 1
	}
	url := a.URL()
	log.Info("ready",
		"took", time.Since(started).Round(time.Millisecond).String(),
		"front_door", url+"/",
		"complaint_form", url+"/pengaduan",
		"status_page", url+"/pengaduan/status",
		"console", url+"/console",
		"chat", url+"/chat",
	)
	if cfg.AdminEmail == "" {
		log.Warn("ADMIN_EMAIL and ADMIN_PASSWORD are not set: set them to create the first console admin")
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case <-a.Done():
		log.Error("a component stopped", "err", a.Err())
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Stop(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := a.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return 1
	}
	log.Info("stopped")
	return 0
}

func runMigrate(cfg config.Config, log *slog.Logger) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := db.Open(ctx, db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir}, log)
	if err != nil {
		log.Error("open database", "err", err)
		return 1
	}
	defer d.Close()
	applied, err := migrate.Up(ctx, d, log)
	if err != nil {
		log.Error("migrate", "err", err)
		return 1
	}
	cur, latest, err := migrate.Status(ctx, d)
	if err != nil {
		log.Error("migration status", "err", err)
		return 1
	}
	log.Info("migrations done", "applied", applied, "version", cur, "latest", latest)
	return 0
}
