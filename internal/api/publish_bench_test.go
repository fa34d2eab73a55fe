package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// BenchmarkPublishOverHTTP is the publish request path in-process: real
// middleware and personal-access-token auth, validation, the publish
// transaction; 32 concurrent clients, as `make load` does over a socket.
// "river" inserts an analyze_entry job per entry (no worker runs);
// "local" is the default on SQLite, the in-process queue (pipeline.Local)
// analysing alongside, as the server does. cpu-µs/op is the process's CPU
// time (user+system) per publish, client included: steadier than req/s on
// a shared machine.
func BenchmarkPublishOverHTTP(b *testing.B) {
	for _, e := range storetest.Engines {
		queues := []string{"river"}
		if e == store.SQLite {
			queues = append(queues, "local")
		}
		for _, q := range queues {
			b.Run(string(e)+"/"+q, func(b *testing.B) { benchmarkPublish(b, e, q == "local") })
		}
	}
}

func benchmarkPublish(b *testing.B, e store.Engine, local bool) {
	s := storetest.Open(b, e)
	ctx := context.Background()
	opts := servertest.Options{Clock: servertest.NewClock(time.Now().UTC(), time.Microsecond)}
	var lq *pipeline.Local
	if local {
		lq = pipeline.NewLocal(pipeline.Config{Store: s})
		opts.Enqueuer = pipeline.LocalJobs{Local: lq}
	}
	srv := servertest.Start(b, s, opts)
	if lq != nil {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); lq.Run(runCtx) }()
		b.Cleanup(func() { cancel(); <-done })
	}
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
	cpu0 := cpuTime()
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
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
