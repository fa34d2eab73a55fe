package store

import (
	"context"
	"fmt"
	"time"
)

// PruneResult counts what Prune removed.
type PruneResult struct {
	Sessions, EmailTokens, Events, TrendCache int64
	WebhookDeliveries                         int64
}

// Prune deletes rows whose time has passed: expired sessions and email
// tokens (used or not), cached trends long past their expiry, and real-time
// events older than eventsBefore (replay needs only the recent ones), and
// webhook delivery ids as old (signatures expire after minutes).
func (t *Tx) Prune(ctx context.Context, now, eventsBefore time.Time) (PruneResult, error) {
	var r PruneResult
	steps := []struct {
		n     *int64
		query string
		arg   any
	}{
		{&r.Sessions, `DELETE FROM sessions WHERE expiry < ?`, DBTime(now)},
		{&r.EmailTokens, `DELETE FROM email_tokens WHERE expires_at < ?`, DBTime(now)},
		// Expired trends stay a while for the refresh job (insight.RefreshWorker)
		// to recompute; those of users no longer active go.
		{&r.TrendCache, `DELETE FROM trend_cache WHERE expires_at < ?`, DBTime(eventsBefore)},
		// A prefix of the log by sequence, so a stream's Last-Event-ID below
		// the oldest kept event reliably means it may have missed some.
		// The log is in time order, so walking it back from its end finds
		// that newest old event after reading only the replay window.
		{&r.Events, `DELETE FROM events WHERE seq <= (SELECT seq FROM events WHERE created_at < ? ORDER BY seq DESC LIMIT 1)`,
			storedTime(t.d.engine(), eventsBefore)},
		{&r.WebhookDeliveries, `DELETE FROM webhook_deliveries WHERE received_at < ?`, DBTime(eventsBefore)},
	}
	for _, s := range steps {
		res, err := t.exec(ctx, s.query, s.arg)
		if err != nil {
			return r, fmt.Errorf("prune: %w", err)
		}
		*s.n, _ = res.RowsAffected()
	}
	return r, nil
}
