package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

// binary is built once per test process (in TestMain): three process-level
// tests each compiling it would triple the slowest part of the run.
var binary struct {
	once sync.Once
	path string
	err  error
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		_ = os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// buildBinary returns the path of the compiled resonant binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		gobin, err := exec.LookPath("go")
		if err != nil {
			binary.err = fmt.Errorf("the go command is needed to build the binary under test: %w", err)
			return
		}
		binary.dir, err = os.MkdirTemp("", "resonant-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(binary.dir, "resonant")
		if out, err := exec.Command(gobin, "build", "-o", binary.path, ".").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts `resonant serve` and returns it with a scanner over its
// JSON log lines.
func startServe(t *testing.T, bin, dataDir, addr string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	return startServeWith(t, bin, dataDir, addr)
}

type execCmd = exec.Cmd

// startServeWith is startServe with extra flags.
func startServeWith(t *testing.T, bin, dataDir, addr string, extra ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--data-dir", dataDir, "--addr", addr, "--log-format", "json"}, extra...)...)
	cmd.Env = append(os.Environ(), "RESONANT_DATABASE_URL=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewScanner(stderr)
}

// waitForLog reads log lines until one has msg; it fails the test if the
// process ends first.
func waitForLog(t *testing.T, sc *bufio.Scanner, msg string) {
	t.Helper()
	var seen []string
	for sc.Scan() {
		line := sc.Text()
		seen = append(seen, line)
		var rec struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
			return
		}
	}
	t.Fatalf("process ended before logging %q:\n%s", msg, strings.Join(seen, "\n"))
}

// TestKillDuringStartupLeavesAWorkingDatabase kills the server with SIGKILL
// at each stage of start-up (before migrating, right after migrating, while
// serving) and checks that the next start migrates and serves normally.
func TestKillDuringStartupLeavesAWorkingDatabase(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, stage := range []string{"starting resonant", "applied migrations", "listening"} {
		t.Run(stage, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cmd, sc := startServe(t, bin, dir, freeAddr(t))
			waitForLog(t, sc, stage)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()

			addr := freeAddr(t)
			cmd2, sc2 := startServe(t, bin, dir, addr)
			waitForLog(t, sc2, "listening")
			res, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("readyz after restart = %d %s", res.StatusCode, body)
			}
			if err := cmd2.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			waitForLog(t, sc2, "stopped")
			if err := cmd2.Wait(); err != nil {
				t.Fatalf("graceful stop exited with %v", err)
			}
		})
	}
}

// TestBadStartsFailWithOneLineAndChangeNothing covers the bad
// input: unknown flag, unreachable database, unwritable data directory, a
// second process on the same data directory.
func TestBadStartsFailWithOneLineAndChangeNothing(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	busyDir := t.TempDir()
	holder, sc := startServe(t, bin, busyDir, freeAddr(t))
	waitForLog(t, sc, "listening")
	defer func() { _ = holder.Process.Signal(syscall.SIGTERM) }()

	newerDir := t.TempDir()
	newerVersion := migrateFromTheFuture(t, newerDir)

	readOnly := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"serve", "--no-such-flag"}, "no-such-flag"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unreachable database", []string{"serve", "--database-url", "postgres://postgres@127.0.0.1:1/none?connect_timeout=2"}, "not reachable"},
		{"second process", []string{"serve", "--data-dir", busyDir, "--addr", freeAddr(t)}, "another resonant process"},
		{"unwritable data dir", []string{"serve", "--data-dir", filepath.Join(readOnly, "sub"), "--addr", freeAddr(t)}, "not usable"},
		{"database from a newer version", []string{"serve", "--data-dir", newerDir, "--addr", freeAddr(t)}, "newer resonant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unwritable data dir" && os.Geteuid() == 0 {
				// root ignores directory permissions; use a path under a file instead.
				f := filepath.Join(t.TempDir(), "file")
				_ = os.WriteFile(f, nil, 0o600)
				tc.args[2] = filepath.Join(f, "sub")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tc.args...)
			cmd.Env = append(os.Environ(), "RESONANT_DATABASE_URL=", "RESONANT_LOG_LEVEL=error")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if err == nil {
				t.Fatal("started, want a refusal")
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "resonant: ") || !strings.Contains(last, tc.want) {
				t.Fatalf("last stderr line %q, want one 'resonant: …' line mentioning %q (all: %q)", last, tc.want, stderr.String())
			}
			if len(lines) != 1 {
				t.Fatalf("want exactly one line on stderr, got %d: %s", len(lines), fmt.Sprint(lines))
			}
			if tc.name == "database from a newer version" {
				if v := schemaVersion(t, newerDir); v != newerVersion {
					t.Fatalf("schema version %d after the refused start, want %d untouched", v, newerVersion)
				}
			}
		})
	}
}

// migrateFromTheFuture migrates a data directory and marks it as migrated
// by a later release; it returns that version.
func migrateFromTheFuture(t *testing.T, dir string) int {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	latest, err := s.LatestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteDB().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_a_later_release', ?)`,
		latest+1, store.DBTime(time.Now())); err != nil {
		t.Fatal(err)
	}
	return latest + 1
}

func schemaVersion(t *testing.T, dir string) int {
	t.Helper()
	var v int
	if err := openReadOnly(t, dir).QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
