package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// BenchmarkPublishOverHTTP is the publish request path in-process: real
// middleware and personal-access-token auth, validation, the publish
// transaction with its River job; 32 concurrent clients, as `make load`
// does over a socket (without the analysis running alongside).
func BenchmarkPublishOverHTTP(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			ctx := context.Background()
			if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
				b.Fatal(err)
			}
			acc, err := accounts.New(accounts.Config{Store: s, Mailer: &mail.FileOutbox{Dir: b.TempDir()}, BaseURL: "http://example.test", Password: cheapPasswords})
			if err != nil {
				b.Fatal(err)
			}
			jobs, err := queue.New(s, queue.Options{})
			if err != nil {
				b.Fatal(err)
			}
			j := journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(jobs)})
			srv := httptest.NewServer(routeTable(s, acc, nil, j, frontdoor.SessionConfig{}))
			b.Cleanup(srv.Close)
			userID, token := NewTestUserToken(b, acc, "bench@example.com")
			name, kind := "Sam", "partner"
			rel, err := j.CreateRelationship(ctx, userID, journal.RelationshipInput{Name: &name, Kind: &kind})
			if err != nil {
				b.Fatal(err)
			}
			body := []byte(fmt.Sprintf(`{"relationshipId":%q,"content":"We cooked dinner together and talked about the week. I felt heard, though work stress crept in again.","status":"published"}`, rel.ID))
			client := srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", srv.URL+"/api/v1/entries", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")

		})
	}
}
