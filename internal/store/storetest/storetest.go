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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/resonant-journal/resonant/internal/queue"
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
	if e == store.SQLite {
		copySQLiteTemplate(t, opts.DataDir)
	}
	return OpenWith(t, opts, extra...)
}

// copySQLiteTemplate puts a copy of the SQLite template (our schema and
// River's, as on PostgreSQL) into dataDir: copying a file costs far less
// than migrating River's schema again in every test.
func copySQLiteTemplate(t testing.TB, dataDir string) {
	t.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("prepare SQLite template: %v", err)
	}
	b, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, store.SQLiteFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// sqliteTemplate returns the path of a migrated SQLite database for the
// current schema, building it when missing. Like the PostgreSQL template it
// is kept (in the temporary directory, named by schemaHash) and reused
// across runs; parallel builders each build one and the first rename wins.
func sqliteTemplate() (string, error) {
	dir := filepath.Join(os.TempDir(), "resonant-sqlite-tmpl-"+schemaHash())
	path := filepath.Join(dir, store.SQLiteFile)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	building, err := os.MkdirTemp("", "resonant-sqlite-tmpl-building-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(building)
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DataDir: building})
	if err != nil {
		return "", err
	}
	_, err = s.Migrate(ctx, queue.MigrateStep(s))
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := os.Rename(building, dir); err != nil {
		if _, serr := os.Stat(path); serr == nil {
			return path, nil // another process built it first
		}
		return "", err
	}
	return path, nil
}

// OpenWith opens and migrates the database opts name, closed when the test
// ends; opening the same PostgreSQL options twice gives two instances on
// one database.
func OpenWith(t testing.TB, opts store.Options, extra ...store.MigrateStep) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx, extra...); err != nil {
		t.Fatalf("migrate %s store: %v", s.Engine(), err)
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

// NewPostgresDatabase creates a migrated database (our schema and River's)
// on the test server and returns its URL; it is dropped when the test ends.
// Each is a copy of a template migrated once and reused across runs while
// the schema is unchanged, which keeps a fresh database per test cheap.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "schema")
}

// newDatabase creates a database, copied from the schema template when
// from is "schema", empty otherwise.
func newDatabase(t testing.TB, from string) string {
	t.Helper()
	base := baseURL()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI but %s is unreachable: %v", redact(base), err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set RESONANT_TEST_DATABASE_URL): %v", redact(base), err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	create := "CREATE DATABASE "
	name := "resonant_test_" + randomHex(6)
	create += name
	if from == "schema" {
		tmpl, err := ensureTemplate(ctx, admin, base)
		if err != nil {
			t.Fatalf("prepare template database: %v", err)
		}
		create += " TEMPLATE " + tmpl
	}
	if _, err := admin.Exec(ctx, create); err != nil {
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
	return withDatabase(t, base, name)
}

// NewEmptyPostgresDatabase creates an empty database (no schema at all),
// for tests of migration itself; it is dropped when the test ends.
func NewEmptyPostgresDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "")
}

func baseURL() string {
	if u := os.Getenv("RESONANT_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

func withDatabase(t testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse RESONANT_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// templateLockID serialises template creation across test processes.
const templateLockID = 7_352_104_119

// ensureTemplate returns the name of a template database holding the
// current schema, building it (under an advisory lock, so parallel test
// processes build it once) when missing. The name is a hash of every
// migration, ours and River's, so a schema change builds a new template.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, base string) (string, error) {
	tmpl := "resonant_tmpl_" + schemaHash()
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", err
	}
	defer func() { _, _ = admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockID) }()
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	building := tmpl + "_building"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	s, err := store.Open(ctx, store.Options{DatabaseURL: u.String()})
	if err != nil {
		return "", err
	}
	_, err = s.Migrate(ctx, queue.MigrateStep(s))
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+tmpl); err != nil {
		return "", err
	}
	return tmpl, nil
}

// schemaHash identifies the schema: our migration files and River's
// migration versions.
func schemaHash() string {
	h := sha256.New()
	_ = fs.WalkDir(store.MigrationFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(store.MigrationFiles(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if m, err := rivermigrate.New(riverdatabasesql.New(nil), nil); err == nil {
		for _, v := range m.AllVersions() {
			fmt.Fprintf(h, "river:%d:%s:%s", v.Version, v.Name, v.SQLUp)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// AddUser inserts a bare user (email <id>@example.com) for tests of other
// domains, with preferences JSON when given (e.g. `{"aiConsent":true}`).
func AddUser(t testing.TB, s *store.Store, id, preferences string) {
	t.Helper()
	if preferences == "" {
		preferences = "{}"
	}
	at := store.DBTime(time.Now())
	email := id + "@example.com"
	if _, err := s.WriteDB().ExecContext(context.Background(), s.Rebind(`INSERT INTO users
		(id, email, email_normalized, preferences, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
		id, email, email, preferences, at, at); err != nil {
		t.Fatalf("add user %s: %v", id, err)
	}
}
