package journal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
	"github.com/resonant-journal/resonant/internal/validate"
)

// FuzzValidateEntry: any input either validates into an entry within every
// limit, with the content kept byte for byte, or fails with field errors.
func FuzzValidateEntry(f *testing.F) {
	f.Add("We talked <3", "happy", "a, A ,b", "published")
	f.Add("  ", "", "", "draft")
	f.Add("a\x00b", strings.Repeat("m", 51), strings.Repeat("t,", 12), "final")
	f.Add(strings.Repeat("é", 10000), "", " Walk , walk ,WALK", "")
	f.Add("Tom\xc3", "caf\xe9", "ok", "published") // cut mid-character
	f.Fuzz(func(t *testing.T, content, mood, tagList, status string) {
		tags := strings.Split(tagList, ",")
		in := journal.EntryInput{RelationshipID: new(string), Content: &content, Mood: &mood, Tags: &tags}
		*in.RelationshipID = "rel"
		if status != "" {
			in.Status = &status
		}
		e := store.Entry{Status: store.EntryPublished}
		err := journal.ValidateEntry(in, &e, true)
		if err != nil {
			var fields validate.Errors
			if !errors.As(err, &fields) || len(fields) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if e.Content != content {
			t.Fatalf("content altered: %q → %q", content, e.Content)
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(e.Content)); n < 1 || n > journal.MaxContentChars {
			t.Fatalf("accepted content of %d characters", n)
		}
		if utf8.RuneCountInString(e.Mood) > journal.MaxMoodChars || len(e.Tags) > journal.MaxTags {
			t.Fatalf("accepted mood %q / %d tags", e.Mood, len(e.Tags))
		}
		for i, tg := range e.Tags {
			if tg == "" || tg != strings.TrimSpace(tg) || utf8.RuneCountInString(tg) > journal.MaxTagChars {
				t.Fatalf("accepted tag %q", tg)
			}
			for _, other := range e.Tags[:i] {
				if strings.EqualFold(other, tg) {
					t.Fatalf("duplicate tags %q and %q", other, tg)
				}
			}
		}
		if strings.ContainsRune(e.Content+e.Mood+strings.Join(e.Tags, ""), 0) {
			t.Fatal("accepted NUL")
		}
		if !utf8.ValidString(e.Content + e.Mood + strings.Join(e.Tags, "")) {
			t.Fatal("accepted invalid UTF-8, which PostgreSQL cannot store")
		}
		if e.Status != store.EntryDraft && e.Status != store.EntryPublished {
			t.Fatalf("accepted status %q", e.Status)
		}
	})
}

// FuzzSearchQuery: whatever a person types parses without error (up to the
// length limit) and runs as a search on both engines without error.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"walk", `"unbalanced`, "walk AND OR NOT", "walk*", "(walk", "-walk", "wa'lk", "NEAR(walk talk)",
		"col:walk", `\'`, "!!!", ":*", "a & b | !c", "café résumé", "\u0301", "日本語", "x\x00y", "'':*", "^walk", "walk talk "} {
		f.Add(s)
	}
	ctx := context.Background()
	var stores []*store.Store
	for _, e := range storetest.Engines {
		stores = append(stores, storetest.Open(f, e))
	}
	for _, s := range stores {
		seedSearchable(f, s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := journal.ParseQuery(q)
		if utf8.RuneCountInString(q) > journal.MaxQueryChars {
			if err == nil {
				t.Fatal("over-long query accepted")
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseQuery(%q) = %v", q, err)
		}
		for _, s := range stores {
			if _, err := s.SearchEntries(ctx, store.SearchParams{UserID: "u1", Terms: parsed.Terms, PrefixLast: parsed.PrefixLast, Limit: 5}); err != nil {
				t.Fatalf("%s: search %q (%+v): %v", s.Engine(), q, parsed, err)
			}
		}
	})
}

func seedSearchable(tb testing.TB, s *store.Store) {
	tb.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.SQL().ExecContext(ctx, s.Rebind(`INSERT INTO users (id, email, email_normalized, created_at, updated_at) VALUES ('u1', 'a@b.c', 'a@b.c', ?, ?)`),
			store.DBTime(now), store.DBTime(now)); err != nil {
			return err
		}
		if err := tx.CreateRelationship(ctx, store.Relationship{ID: "r1", UserID: "u1", Name: "Sam", Kind: "partner", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.InsertEntry(ctx, store.Entry{ID: "e1", UserID: "u1", RelationshipID: "r1", Content: "We walked by the café <3, talking of 日本語",
			Tags: []string{"walk"}, Status: store.EntryPublished, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		tb.Fatal(err)
	}
}
