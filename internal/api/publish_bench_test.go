package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/server/servertest"
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
			srv := servertest.Start(b, s, servertest.Options{Clock: servertest.NewClock(time.Now().UTC(), time.Microsecond)})
			acc, j := srv.Accounts, srv.Journal
			userID, token := NewTestUserToken(b, acc, "bench@example.com")
			name, kind := "Sam", "partner"
			rel, err := j.CreateRelationship(ctx, userID, journal.RelationshipInput{Name: &name, Kind: &kind})
			if err != nil {
				b.Fatal(err)
			}
			body := []byte(fmt.Sprintf(`{"relationshipId":%q,"content":"We cooked dinner together and talked about the week. I felt heard, though work stress crept in again.","status":"published"}`, rel.ID))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
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
