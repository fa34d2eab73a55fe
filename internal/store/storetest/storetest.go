// Package storetest opens a fresh, migrated database per test on every
// engine, so one contract suite runs unchanged against SQLite and PostgreSQL.
//
// PostgreSQL tests read RESONANT_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), create a
// throwaway database per test and drop it afterwards. When the server does
// not answer they are skipped locally but FAIL when CI=true, so CI can never
// pass without them.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/resonant-journal/resonant/internal/store"
)

// DefaultPostgresURL is used when RESONANT_TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Engines lists the engines every contract test runs on.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// ForEachEngine runs fn as a parallel subtest per engine, each with its own
// fresh migrated store. extra migration steps (River's schema) run too.
func ForEachEngine(t *testing.T, fn func(t *testing.T, s *store.Store), extra ...store.MigrateStep) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, e, extra...))
		})
	}
}

// Open returns a fresh migrated store on engine e, closed (and, on
// PostgreSQL, dropped) when the test ends.
func Open(t testing.TB, e store.Engine, extra ...store.MigrateStep) *store.Store {
	t.Helper()
	opts := Options(t, e)
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s store: %v", e, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx, extra...); err != nil {
		t.Fatalf("migrate %s store: %v", e, err)
	}
	return s
}

// Options returns store options for a fresh, empty database on engine e:
// a temporary data directory for SQLite, a new database for PostgreSQL.
func Options(t testing.TB, e store.Engine) store.Options {
	t.Helper()
	switch e {
	case store.SQLite:
		return store.Options{DataDir: t.TempDir()}
	case store.Postgres:
		return store.Options{DatabaseURL: NewPostgresDatabase(t), DataDir: t.TempDir()}
	default:
		t.Fatalf("unknown engine %q", e)
		return store.Options{}
	}
}

// NewPostgresDatabase creates an empty database on the test server and
// returns its URL; it is dropped when the test ends.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv("RESONANT_TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI but %s is unreachable: %v", redact(base), err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set RESONANT_TEST_DATABASE_URL): %v", redact(base), err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "resonant_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer func() { _ = c.Close(context.Background()) }()
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse RESONANT_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
