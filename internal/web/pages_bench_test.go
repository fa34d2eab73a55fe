package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
)

// BenchmarkPages measures the server time of the heaviest pages for a user
// with 10,000 published entries (DESIGN.md §6: p99 < 20 ms), in-process on
// SQLite: the page's handler from request to last byte, without the
// network. Each sub-benchmark reports its median and p99.
//
//	go test -run '^$' -bench Pages -benchtime 500x ./internal/web/
func BenchmarkPages(b *testing.B) {
	e := newTestEnv(b)
	ctx := context.Background()
	_, u := e.signedIn("bench@example.com")
	rels := []string{e.relationship(u.ID, "Sam").ID, e.relationship(u.ID, "Alex").ID, e.relationship(u.ID, "Mum").ID}
	words := []string{"walk", "dinner", "argument", "apology", "holiday", "work", "kids", "laughed", "tired", "grateful"}
	start := time.Now()
	var last string
	for i := range 10_000 {
		content := fmt.Sprintf("Entry %d: we talked about %s and %s after the %s; I felt %s.", i,
			words[i%10], words[(i/10)%10], words[(i/100)%10], words[(i/7)%10])
		v, err := e.journal.CreateEntry(ctx, u.ID, journal.EntryInput{RelationshipID: &rels[i%3], Content: &content})
		if err != nil {
			b.Fatal(err)
		}
		last = v.Entry.ID
	}
	b.Logf("seeded 10,000 entries in %s", time.Since(start).Round(time.Millisecond))
	handler := e.srv.Config.Handler
	for _, path := range []string{"/home", "/entries", "/entries?relationship=" + rels[1], "/entries?q=dinner+apology", "/entries/" + last, "/settings"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.AddCookie(&http.Cookie{Name: testUserCookie, Value: u.ID})
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				rec := httptest.NewRecorder()
				t0 := time.Now()
				handler.ServeHTTP(rec, req)
				times = append(times, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
