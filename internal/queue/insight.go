package queue

import (
	"context"
	"fmt"

	"github.com/resonant-journal/resonant/internal/store"
)

// InsightJobs inserts health-score and reminder jobs inside the store's
// transactions. It implements insight.Jobs.
type InsightJobs struct {
	client *Client
}

// NewInsightJobs wraps the River client (it need not be started).
func NewInsightJobs(c *Client) *InsightJobs { return &InsightJobs{client: c} }

// EnqueueRecompute queues a recompute of one relationship's score in tx.
// The same cause never queues twice (River unique by args, kept while the
// job is waiting, running or recently completed).
func (j *InsightJobs) EnqueueRecompute(ctx context.Context, tx *store.Tx, userID, relationshipID, cause string) error {
	_, err := j.client.InsertTx(ctx, tx.SQL(), RecomputeScoreArgs{UserID: userID, RelationshipID: relationshipID, Cause: cause}, nil)
	if err != nil {
		return fmt.Errorf("enqueue score recompute: %w", err)
	}
	return nil
}

// EnqueueReminder queues the sending of a reminder claimed in tx.
func (j *InsightJobs) EnqueueReminder(ctx context.Context, tx *store.Tx, userID, localDate string) error {
	_, err := j.client.InsertTx(ctx, tx.SQL(), SendReminderArgs{UserID: userID, LocalDate: localDate}, nil)
	if err != nil {
		return fmt.Errorf("enqueue reminder: %w", err)
	}
	return nil
}
