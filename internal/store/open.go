package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Open opens the database the options name: PostgreSQL for a postgres://
// URL, otherwise SQLite in the data directory. It does not migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	var (
		s   *Store
		err error
	)
	if opts.DatabaseURL != "" && !IsPostgresURL(opts.DatabaseURL) {
		return nil, fmt.Errorf("database URL must start with postgres:// or postgresql:// (leave it empty for the embedded SQLite database)")
	}
	if IsPostgresURL(opts.DatabaseURL) {
		s, err = openPostgres(ctx, opts.DatabaseURL)
	} else {
		s, err = openSQLite(ctx, opts.DataDir, opts.Shared)
	}
	if err != nil {
		return nil, err
	}
	s.now = opts.Now
	// Close may be called more than once (a deferred Close after an
	// explicit one); the pools and the lock are released once.
	s.closer = sync.OnceValue(s.closer)
	return s, nil
}

// IsPostgresURL reports whether u selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}
