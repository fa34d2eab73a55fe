package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if applied != 0 {
			t.Fatalf("second Migrate applied %d migrations, want 0", applied)
		}
		current, latest, err := s.SchemaStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if current != latest || latest < 1 {
			t.Fatalf("schema at %d, latest %d", current, latest)
		}
	})
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, latest, _ := s.SchemaStatus(ctx)
		if _, err := s.WriteDB().ExecContext(ctx, s.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', ?)`),
			latest+1, store.DBTime(time.Now())); err != nil {
			t.Fatal(err)
		}
		_, err := s.Migrate(ctx)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("Migrate = %v, want ErrSchemaTooNew", err)
		}
		if !strings.Contains(err.Error(), "newer resonant") {
			t.Fatalf("error %q does not tell the operator what to do", err)
		}
	})
}

// TestConcurrentMigrationsApplyOnce starts several migrations of one fresh
// PostgreSQL database at once, as instances starting together would.
func TestConcurrentMigrationsApplyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewEmptyPostgresDatabase(t)
	const n = 4
	stores := make([]*store.Store, n)
	for i := range stores {
		s, err := store.Open(ctx, store.Options{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	var wg sync.WaitGroup
	applied := make([]int, n)
	errs := make([]error, n)
	for i, s := range stores {
		wg.Go(func() { applied[i], errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	total := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	latest, _ := stores[0].LatestVersion()
	if total != latest {
		t.Fatalf("instances applied %d migrations in all, want %d (each exactly once)", total, latest)
	}
}

func TestSecondProcessOnSameSQLiteFileIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = store.Open(ctx, store.Options{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "another resonant process") {
		t.Fatalf("second Open = %v, want a clear refusal", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Open after the first closed: %v", err)
	}
	_ = s2.Close()
}

// TestSharedStoreWritesBesideTheLockHolder opens a shared store (an admin
// command) while another holds the data directory, writes through both,
// and checks that a shared store never creates a database.
func TestSharedStoreWritesBesideTheLockHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), Shared: true}); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("shared Open of an empty directory = %v, want a refusal", err)
	}
	dir := t.TempDir()
	server, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if _, err := server.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := store.Open(ctx, store.Options{DataDir: dir, Shared: true})
	if err != nil {
		t.Fatalf("shared Open beside the lock holder: %v", err)
	}
	storetest.AddUser(t, admin, "from-admin", "")
	storetest.AddUser(t, server, "from-server", "")
	if err := admin.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"from-admin", "from-server"} {
		if _, err := server.UserAuthStateByID(ctx, id); err != nil {
			t.Errorf("user %s: %v", id, err)
		}
	}
}

func TestOpenRejectsUnknownDatabaseURL(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), store.Options{DatabaseURL: "mysql://localhost/x", DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("Open = %v, want an error naming the accepted scheme", err)
	}
}

func TestTimesRoundTripOnBothEngines(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		want := time.Date(2026, 11, 26, 12, 30, 45, 123456000, time.FixedZone("x", 3600))
		if _, err := s.WriteDB().ExecContext(ctx, s.Rebind(`INSERT INTO users (id, email, email_normalized, created_at, updated_at) VALUES ('u1', 'a@b.c', 'a@b.c', ?, ?)`),
			store.DBTime(want), store.DBTime(want)); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		var verified time.Time
		if err := s.WriteDB().QueryRowContext(ctx, `SELECT created_at, email_verified_at FROM users`).Scan(store.ScanTime(&got), store.ScanTime(&verified)); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("created_at = %v, want %v in UTC", got, want)
		}
		if !verified.IsZero() {
			t.Fatalf("NULL time scanned as %v, want zero", verified)
		}
	})
}
