// Command resonant is the Resonant server and its tools in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/server"
	"github.com/resonant-journal/resonant/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `resonant — a private relationship-health journal

Usage:
  resonant serve   [flags]   run the server (default: embedded SQLite in ./data, http://127.0.0.1:8080)
  resonant migrate [flags]   apply database migrations and exit
  resonant analyze [flags]   analyse one text per stdin line with the offline analyzer
  resonant user    set-tier|set-flag EMAIL …   change a user's tier or feature flag
  resonant dev fake-gemini [flags]   run a fake Gemini API with switchable faults (demos, tests)
  resonant dev load [flags]          publish, draft, list and get under wrk, beside PocketBase's figures
  resonant dev load-events [flags]   measure the event stream under load (streams, latency, RSS)
  resonant dev seed-demo [flags]     write a demo journal of a few months for a new user (demos, screenshots)
  resonant version           print the version

Every flag has a RESONANT_* environment equivalent (--data-dir ↔ RESONANT_DATA_DIR).
Run 'resonant <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		// One line, even when a driver's message spans several.
		fmt.Fprintln(os.Stderr, "resonant:", strings.Join(strings.Fields(err.Error()), " "))
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: a command is required", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "analyze":
		return runAnalyze(ctx, rest, stdin, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "dev":
		return runDev(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "resonant", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q (run 'resonant help')", errUsage, cmd)
	}
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

func parseConfig(name string, args []string, stderr io.Writer) (*config.Config, error) {
	cfg, err := config.Parse(name, args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	return cfg, nil
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	return server.Run(ctx, cfg, server.Options{Logger: log})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("migrate", args, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx, queue.MigrateStep(st))
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	current, _, err := st.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s: applied %d migration(s), schema version %d\n", cfg.DatabaseDescription(), applied, current)
	return nil
}

// newLogger logs text on a terminal and JSON otherwise (for log collectors).
func newLogger(cfg *config.Config, w io.Writer) (*slog.Logger, error) {
	level, err := config.ParseLevel(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}
