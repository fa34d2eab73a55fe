package queue

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestRiversRoutineInfoMessagesAreDebug(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		log := riverLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))
		ctx := context.Background()
		// The messages as River v0.51 words them (producer.go, riversharedmaintenance).
		log.InfoContext(ctx, "producer: Producer job counts", slog.Int("num_jobs_running", 0))
		log.InfoContext(ctx, "JobCleaner: Ran successfully", slog.Int("num_jobs_deleted", 3))
		log.InfoContext(ctx, "River client started", slog.String("client_id", "x"))
		log.WarnContext(ctx, "producer: Producer job counts")
		log.ErrorContext(ctx, "jobexecutor: Job panicked")
		out := buf.String()
		wantLines := map[slog.Level][]string{
			slog.LevelInfo: {
				`level=INFO msg="River client started" component=river`,
				`level=WARN msg="producer: Producer job counts" component=river`,
				`level=ERROR msg="jobexecutor: Job panicked" component=river`,
			},
			slog.LevelDebug: {
				`level=DEBUG msg="producer: Producer job counts" component=river num_jobs_running=0`,
				`level=DEBUG msg="JobCleaner: Ran successfully" component=river num_jobs_deleted=3`,
				`level=INFO msg="River client started" component=river`,
				`level=WARN msg="producer: Producer job counts" component=river`,
				`level=ERROR msg="jobexecutor: Job panicked" component=river`,
			},
		}[level]
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != len(wantLines) {
			t.Fatalf("at %s the log holds %d lines, want %d:\n%s", level, len(lines), len(wantLines), out)
		}
		for i, want := range wantLines {
			if !strings.Contains(lines[i], want) {
				t.Errorf("at %s line %d = %s, want it to contain %s", level, i, lines[i], want)
			}
		}
	}
}
