package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

type markArgs struct {
	UserID string `json:"userId"`
}

func (markArgs) Kind() string { return "test_mark" }

type markWorker struct {
	river.WorkerDefaults[markArgs]
	worked chan string
}

func (w *markWorker) Work(ctx context.Context, job *river.Job[markArgs]) error {
	w.worked <- job.Args.UserID
	return nil
}

// TestJobCommitsWithItsRows inserts a row and a job in one transaction,
// rolls back a second transaction doing the same, and sees exactly one job
// worked — on both engines.
func TestJobCommitsWithItsRows(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := storetest.Open(t, e)
			if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
				t.Fatal(err)
			}
			w := &markWorker{worked: make(chan string, 4)}
			workers := river.NewWorkers()
			river.AddWorker(workers, w)
			client, err := queue.New(s, queue.Options{Workers: workers, FetchPollInterval: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}

			insertUserAndJob := func(id string) func(context.Context, *store.Tx) error {
				return func(ctx context.Context, tx *store.Tx) error {
					now := store.DBTime(time.Now())
					if _, err := tx.SQL().ExecContext(ctx, s.Rebind(`INSERT INTO users
						(id, email, email_normalized, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
						id, id+"@example.com", id+"@example.com", now, now); err != nil {
						return err
					}
					_, err := client.InsertTx(ctx, tx.SQL(), markArgs{UserID: id}, nil)
					return err
				}
			}
			if err := s.InTx(ctx, insertUserAndJob("kept")); err != nil {
				t.Fatal(err)
			}
			errRollback := errors.New("roll back")
			err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				if err := insertUserAndJob("dropped")(ctx, tx); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("InTx = %v, want the rollback error", err)
			}

			if err := client.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = client.Stop(context.Background()) })

			select {
			case got := <-w.worked:
				if got != "kept" {
					t.Fatalf("worked job for %q, want %q", got, "kept")
				}
			case <-time.After(30 * time.Second):
				t.Fatal("committed job was not worked")
			}
			jobs, err := client.JobList(ctx, river.NewJobListParams().Kinds("test_mark").States(
				"available", "scheduled", "running", "retryable", "completed", "pending", "cancelled", "discarded"))
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs.Jobs) != 1 {
				t.Fatalf("%d jobs in the queue, want exactly 1 (the rolled-back one must not exist)", len(jobs.Jobs))
			}
			var users int
			if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
				t.Fatal(err)
			}
			if users != 1 {
				t.Fatalf("%d users, want 1", users)
			}
		})
	}
}
