// Package journal is relationships and journal entries: validation,
// ownership, drafts and publishing (with the analysis queued in the same
// transaction), cursor pagination and full-text search. It knows nothing
// about HTTP; every method takes the signed-in user's id and answers
// store.ErrNotFound for anything that is not theirs.
package journal

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/resonant-journal/resonant/internal/cursor"
	"github.com/resonant-journal/resonant/internal/store"
)

// Enqueuer inserts and withdraws analysis jobs inside a store transaction
// (queue.AnalysisJobs in production).
type Enqueuer interface {
	// EnqueueAnalysis queues one analysis per entry.
	EnqueueAnalysis(ctx context.Context, tx *store.Tx, userID string, entryIDs ...string) error
	// CancelAnalysis withdraws the entry's waiting jobs.
	CancelAnalysis(ctx context.Context, tx *store.Tx, entryID string) error
	// CancelOrphanedAnalyses withdraws the user's waiting jobs whose entry is gone.
	CancelOrphanedAnalyses(ctx context.Context, tx *store.Tx, userID string) error
}

// EvidenceHook is told, inside the transaction, when analysed entries stop
// counting towards relationships' scores and trends (deleted, unpublished,
// moved elsewhere) so it can recompute them (insight.Service in production).
type EvidenceHook interface {
	EntryChanged(ctx context.Context, tx *store.Tx, userID, entryID string, at time.Time, relationshipIDs ...string) error
}

// Config holds the service's dependencies.
type Config struct {
	Store    *store.Store
	Enqueuer Enqueuer
	// Evidence, when set, hears of entries leaving a relationship's evidence.
	Evidence EvidenceHook
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service manages relationships and entries.
type Service struct {
	store   *store.Store
	cursors *cursor.Signer
	jobs    Enqueuer
	evid    EvidenceHook
	clock   func() time.Time
	log     *slog.Logger
}

// New returns the service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, jobs: cfg.Enqueuer, evid: cfg.Evidence, clock: cfg.Now, log: cfg.Logger}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.cursors = cursor.New(cfg.Store, s.clock)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// now is the clock in UTC at the databases' microsecond precision, so what
// a call returns is exactly what a later read (or a cursor) sees.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// queueAnalysis marks the entry's analysis queued, inserts its job and
// announces the status, all in tx. requeue withdraws a job still waiting
// for the entry's earlier text first (a new entry has none).
func (s *Service) queueAnalysis(ctx context.Context, tx *store.Tx, e store.Entry, now time.Time, requeue bool) (store.AnalysisStatus, error) {
	if err := tx.QueueAnalyses(ctx, e.UserID, []string{e.ID}, now); err != nil {
		return store.AnalysisStatus{}, err
	}
	if requeue {
		if err := s.jobs.CancelAnalysis(ctx, tx, e.ID); err != nil {
			return store.AnalysisStatus{}, err
		}
	}
	if err := s.jobs.EnqueueAnalysis(ctx, tx, e.UserID, e.ID); err != nil {
		return store.AnalysisStatus{}, err
	}
	if _, err := tx.AppendEvent(ctx, store.Event{UserID: e.UserID, Type: store.EventAnalysisStatus, EntityID: e.ID,
		RelationshipID: e.RelationshipID, Data: store.AnalysisStatusData{Status: store.AnalysisQueued}, At: now}); err != nil {
		return store.AnalysisStatus{}, err
	}
	return queuedStatus(e, now), nil
}

// queuedStatus is the row QueueAnalyses writes, without reading it back.
func queuedStatus(e store.Entry, now time.Time) store.AnalysisStatus {
	return store.AnalysisStatus{EntryID: e.ID, UserID: e.UserID, Status: store.AnalysisQueued, QueuedAt: now,
		CircuitBreakerState: "closed", UpdatedAt: now}
}

// evidenceChanged tells the evidence hook (if any) that entryID no longer
// counts as it did towards relationshipIDs.
func (s *Service) evidenceChanged(ctx context.Context, tx *store.Tx, userID, entryID string, at time.Time, relationshipIDs ...string) error {
	if s.evid == nil {
		return nil
	}
	return s.evid.EntryChanged(ctx, tx, userID, entryID, at, relationshipIDs...)
}
