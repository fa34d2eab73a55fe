package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

type postgresDialect struct{}

func (postgresDialect) engine() Engine             { return Postgres }
func (postgresDialect) rebind(query string) string { return rebindDollar(query) }

func (postgresDialect) isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// openPostgres connects a pgx pool, wraps it as *sql.DB (so River's
// database/sql driver and our queries share one pool and one *sql.Tx type),
// and opens a second small pool whose connections River and the real-time
// fan-out hijack for LISTEN.
func openPostgres(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database URL is not valid: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL at %s:%d is not reachable: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	lcfg := cfg.Copy()
	lcfg.MinConns = 0
	lcfg.MaxConns = 4
	listen, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Store{
		Queries: Queries{db: db, d: postgresDialect{}},
		engine:  Postgres,
		write:   db,
		read:    db,
		listen:  listen,
		closer: func() error {
			err := db.Close()
			pool.Close()
			listen.Close()
			return err
		},
	}, nil
}
