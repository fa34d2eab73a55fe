package queue_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestIdleHousekeepingIsQuietAtInfo: the hourly run used to log at INFO
// even when it deleted nothing.
func TestIdleHousekeepingIsQuietAtInfo(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		var buf bytes.Buffer
		w := &queue.HousekeepingWorker{Store: s, Now: func() time.Time { return now },
			Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))}
		if err := w.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if buf.Len() != 0 {
			t.Errorf("a run with nothing to delete logged at INFO: %s", buf.String())
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.CommitSession(ctx, "expired-session", "", []byte("x"), now.Add(-time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		if err := w.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "level=INFO msg=housekeeping sessions=1") {
			t.Errorf("a run that deleted a session logged %q, want it at INFO", buf.String())
		}
	})
}
