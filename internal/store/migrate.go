package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// MigrationFiles exposes the embedded migrations (tests key their
// template databases on them).
func MigrationFiles() fs.FS { return migrationFiles }

// ErrSchemaTooNew means the database was migrated by a newer Resonant.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// migrationLockID is the PostgreSQL advisory lock that serialises
// migrations when several instances start at once.
const migrationLockID = 7_352_104_118

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/<engine>/NNNN_name.sql in version order.
func loadMigrations(engine Engine) ([]migration, error) {
	dir := path.Join("migrations", string(engine))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(name, ".sql"), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must be contiguous from 1", m.name)
		}
	}
	return ms, nil
}

// LatestVersion is the schema version this binary migrates to.
func (s *Store) LatestVersion() (int, error) {
	ms, err := loadMigrations(s.engine)
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

// MigrateStep is schema work owned by a library (River's migrations),
// run after ours under the same cross-instance lock.
type MigrateStep func(ctx context.Context) error

// Migrate brings the schema up to date. Our migrations apply in one
// transaction, so a crash mid-way leaves the previous version intact; a
// database migrated by a newer binary is refused before anything changes.
// On PostgreSQL a session advisory lock serialises instances that start
// together, and is held while the extra steps run too (River's migrations
// must commit between versions, so they cannot share our transaction).
func (s *Store) Migrate(ctx context.Context, extra ...MigrateStep) (applied int, err error) {
	return s.migrate(ctx, 0, extra...)
}

// migrate applies the migrations up to version upTo (0: all of them).
func (s *Store) migrate(ctx context.Context, upTo int, extra ...MigrateStep) (applied int, err error) {
	ms, err := loadMigrations(s.engine)
	if err != nil {
		return 0, err
	}
	if upTo > 0 && upTo < len(ms) {
		ms = ms[:upTo]
	}
	if s.engine == Postgres {
		unlock, err := s.advisoryLock(ctx, migrationLockID)
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	err = s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		current, err := tx.schemaVersion(ctx)
		if err != nil {
			return err
		}
		if current > len(ms) {
			return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; run a newer resonant", ErrSchemaTooNew, current, len(ms))
		}
		for _, m := range ms[current:] {
			if _, err := tx.SQL().ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, DBTime(s.clock())); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
			applied++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, step := range extra {
		if err := step(ctx); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// advisoryLock takes a PostgreSQL session advisory lock on a dedicated
// connection, waiting for another holder to finish.
func (s *Store) advisoryLock(ctx context.Context, id int64) (unlock func(), err error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, id)
		_ = conn.Close()
	}, nil
}

// SchemaStatus reports the applied schema version and the binary's latest.
func (s *Store) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	latest, err = s.LatestVersion()
	if err != nil {
		return 0, 0, err
	}
	current, err = s.schemaVersion(ctx)
	return current, latest, err
}

func (q *Queries) schemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := q.queryRow(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

func (s *Store) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}
