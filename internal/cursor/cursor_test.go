package cursor_test

import (
	"context"
	"encoding/base64"
	"errors"
	"sync"
	"testing"

	"github.com/resonant-journal/resonant/internal/cursor"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func TestCursorsOpenOnlyAsSigned(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sig := cursor.New(s, nil)
		c, err := sig.Sign(ctx, []byte("t|2026-03-01T09:00:00.000000Z|entry-1"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := sig.Open(ctx, c); err != nil || string(got) != "t|2026-03-01T09:00:00.000000Z|entry-1" {
			t.Fatalf("Open(Sign(p)) = %q, %v", got, err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(c)
		for name, bad := range map[string]string{
			"empty":               "",
			"not base64":          "%%%",
			"unsigned payload":    base64.RawURLEncoding.EncodeToString([]byte("t|2026-03-01T09:00:00.000000Z|entry-1")),
			"payload edited":      base64.RawURLEncoding.EncodeToString(append([]byte("t|2026-03-01T09:00:00.000000Z|entry-2"), raw[len(raw)-16:]...)),
			"tag edited":          base64.RawURLEncoding.EncodeToString(append(append([]byte{}, raw[:len(raw)-1]...), raw[len(raw)-1]^1)),
			"tag only":            base64.RawURLEncoding.EncodeToString(raw[len(raw)-16:]),
			"truncated":           c[:len(c)-2],
			"standard base64 pad": base64.StdEncoding.EncodeToString(raw) + "=",
		} {
			if _, err := sig.Open(ctx, bad); !errors.Is(err, cursor.ErrInvalid) {
				t.Errorf("%s: Open(%q) = %v, want ErrInvalid", name, bad, err)
			}
		}
		// A restarted server (a new Signer on the same database) opens
		// the cursors the old one handed out.
		if got, err := cursor.New(s, nil).Open(ctx, c); err != nil || string(got) != "t|2026-03-01T09:00:00.000000Z|entry-1" {
			t.Errorf("after a restart Open = %q, %v", got, err)
		}
		if n := countKeys(t, s); n != 1 {
			t.Errorf("%d server keys, want 1", n)
		}
	})
}

func TestInstancesStartingTogetherShareOneKey(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		stores := []*store.Store{s}
		if s.Engine() == store.Postgres {
			// Separate instances: each its own pools on one database.
			opts := storetest.Options(t, store.Postgres)
			stores = nil
			for range 4 {
				o := opts
				o.DataDir = t.TempDir()
				other, err := store.Open(ctx, o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = other.Close() })
				stores = append(stores, other)
			}
		}
		const signers = 8
		cursors := make([]string, signers)
		sigs := make([]*cursor.Signer, signers)
		var wg sync.WaitGroup
		for i := range signers {
			sigs[i] = cursor.New(stores[i%len(stores)], nil)
			wg.Go(func() {
				c, err := sigs[i].Sign(ctx, []byte("o|20"))
				if err != nil {
					t.Error(err)
				}
				cursors[i] = c
			})
		}
		wg.Wait()
		for i, c := range cursors {
			for j, sig := range sigs {
				if _, err := sig.Open(ctx, c); err != nil {
					t.Errorf("signer %d cannot open signer %d's cursor: %v", j, i, err)
				}
			}
		}
		for _, st := range stores {
			if n := countKeys(t, st); n != 1 {
				t.Errorf("%d server keys, want 1", n)
			}
		}
	})
}

func countKeys(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	if err := s.WriteDB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM server_keys").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
