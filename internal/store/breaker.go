package store

import (
	"context"
	"fmt"
	"time"
)

// Circuit-breaker states.
const (
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half_open"
)

// BreakerConfig are a breaker's thresholds.
type BreakerConfig struct {
	FailureThreshold int           // consecutive failures that open a closed breaker
	SuccessThreshold int           // half-open successes that close it again
	HalfOpenProbes   int           // calls let through at once while half-open
	OpenTimeout      time.Duration // how long it stays open before probing
}

// The breaker is one row shared by every instance. Each step below is a
// single conditional UPDATE inside one write transaction (they are *Tx
// methods; the caller runs each in its own short InTx), so two instances
// can never both move it (or both take the last probe slot): PostgreSQL
// row-locks the row for the UPDATE, SQLite has one writer. Unlike a
// distributed lock held across the API call, nothing is held while the
// external call runs.

// BreakerAllow decides whether an external call may go ahead now, and
// returns the state it saw. An open breaker past its timeout turns
// half-open; half-open admits up to HalfOpenProbes calls at a time (a probe
// slot whose holder vanished is reclaimed after OpenTimeout).
func (t *Tx) BreakerAllow(ctx context.Context, name string, now time.Time, cfg BreakerConfig) (allowed bool, state string, err error) {
	err = func() error {
		at := DBTime(now)
		expired := DBTime(now.Add(-cfg.OpenTimeout))
		if err := t.ensureBreaker(ctx, name, at); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE circuit_breakers SET state = 'half_open', success_count = 0, probes_in_flight = 0, updated_at = ?
			WHERE name = ? AND ((state = 'open' AND opened_at <= ?) OR (state = 'half_open' AND updated_at <= ?))`, at, name, expired, expired); err != nil {
			return err
		}
		res, err := t.exec(ctx, `UPDATE circuit_breakers SET probes_in_flight = probes_in_flight + 1, updated_at = ?
			WHERE name = ? AND state = 'half_open' AND probes_in_flight < ?`, at, name, cfg.HalfOpenProbes)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			allowed, state = true, BreakerHalfOpen
			return nil
		}
		if err := t.queryRow(ctx, `SELECT state FROM circuit_breakers WHERE name = ?`, name).Scan(&state); err != nil {
			return err
		}
		allowed = state == BreakerClosed
		return nil
	}()
	if err != nil {
		return false, "", fmt.Errorf("circuit breaker %s: %w", name, err)
	}
	return allowed, state, nil
}

// BreakerRecord records the outcome of a call BreakerAllow let through and
// returns the state after it. Failures open a closed breaker at the
// threshold and reopen a half-open one at once; half-open successes close
// it at the success threshold. (SET expressions read the row as it was
// before the UPDATE, on both engines.)
func (t *Tx) BreakerRecord(ctx context.Context, name string, success bool, now time.Time, cfg BreakerConfig) (state string, err error) {
	err = func() error {
		at := DBTime(now)
		if err := t.ensureBreaker(ctx, name, at); err != nil {
			return err
		}
		if success {
			if _, err := t.exec(ctx, `UPDATE circuit_breakers SET
					failure_count = 0,
					success_count = CASE WHEN state = 'half_open' THEN success_count + 1 ELSE 0 END,
					probes_in_flight = CASE WHEN state = 'half_open' AND probes_in_flight > 0 THEN probes_in_flight - 1 ELSE probes_in_flight END,
					updated_at = ?
				WHERE name = ?`, at, name); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE circuit_breakers SET state = 'closed', success_count = 0, probes_in_flight = 0, opened_at = NULL, updated_at = ?
				WHERE name = ? AND state = 'half_open' AND success_count >= ?`, at, name, cfg.SuccessThreshold); err != nil {
				return err
			}
		} else {
			if _, err := t.exec(ctx, `UPDATE circuit_breakers SET
					state = CASE WHEN state = 'half_open' OR (state = 'closed' AND failure_count + 1 >= ?) THEN 'open' ELSE state END,
					opened_at = CASE WHEN state = 'half_open' OR (state = 'closed' AND failure_count + 1 >= ?) THEN ? ELSE opened_at END,
					failure_count = CASE WHEN state = 'closed' THEN failure_count + 1 ELSE failure_count END,
					success_count = 0,
					probes_in_flight = CASE WHEN state = 'half_open' THEN 0 ELSE probes_in_flight END,
					updated_at = ?
				WHERE name = ?`, cfg.FailureThreshold, cfg.FailureThreshold, at, at, name); err != nil {
				return err
			}
		}
		return t.queryRow(ctx, `SELECT state FROM circuit_breakers WHERE name = ?`, name).Scan(&state)
	}()
	if err != nil {
		return "", fmt.Errorf("circuit breaker %s: %w", name, err)
	}
	return state, nil
}

func (t *Tx) ensureBreaker(ctx context.Context, name, at string) error {
	_, err := t.exec(ctx, `INSERT INTO circuit_breakers (name, state, updated_at) VALUES (?, 'closed', ?) ON CONFLICT (name) DO NOTHING`, name, at)
	return err
}

// BreakerState returns the breaker's state ("closed" when it has no row yet).
func (q *Queries) BreakerState(ctx context.Context, name string) (string, error) {
	var state string
	err := q.queryRow(ctx, `SELECT COALESCE(MAX(state), 'closed') FROM circuit_breakers WHERE name = ?`, name).Scan(&state)
	if err != nil {
		return "", fmt.Errorf("circuit breaker %s: %w", name, err)
	}
	return state, nil
}
