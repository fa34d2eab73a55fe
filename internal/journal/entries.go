package journal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// EntryInput is an entry's editable fields; nil leaves a field as it is (on
// update) or at its default (on create: no mood, no tags, not private,
// published).
type EntryInput struct {
	RelationshipID *string
	Content        *string
	Mood           *string
	Tags           *[]string
	IsPrivate      *bool
	Status         *string
}

// EntryView is an entry with its analysis status (nil for drafts) and,
// where one has been stored and asked for, its analysis.
type EntryView struct {
	Entry          store.Entry
	AnalysisStatus *store.AnalysisStatus
	Analysis       *store.Analysis
}

// ValidateEntry checks in and writes it over e. Content is kept exactly as
// written (its length is checked after trimming; white space the user typed
// stays, so auto-save never moves their cursor); mood and tags are trimmed.
func ValidateEntry(in EntryInput, e *store.Entry, creating bool) error {
	errs := validate.Errors{}
	if in.RelationshipID != nil {
		if *in.RelationshipID == "" {
			errs.Add("relationshipId", "is required")
		}
		e.RelationshipID = *in.RelationshipID
	} else if creating {
		errs.Add("relationshipId", "is required")
	}
	if in.Content != nil {
		if msg := checkText(*in.Content, 1, MaxContentChars); msg != "" {
			errs.Add("content", msg)
		}
		e.Content = *in.Content
		e.WordCount = WordCount(e.Content)
	} else if creating {
		errs.Add("content", "is required")
	}
	if in.Mood != nil {
		if msg := checkText(*in.Mood, 0, MaxMoodChars); msg != "" {
			errs.Add("mood", msg)
		}
		e.Mood = strings.TrimSpace(*in.Mood)
	}
	if in.Tags != nil {
		e.Tags = normalizeTags(*in.Tags, errs)
	}
	if e.Tags == nil {
		e.Tags = []string{}
	}
	if in.IsPrivate != nil {
		e.IsPrivate = *in.IsPrivate
	}
	if in.Status != nil {
		switch {
		case *in.Status != store.EntryDraft && *in.Status != store.EntryPublished:
			errs.Add("status", "must be draft or published")
		case *in.Status == store.EntryDraft && e.Status == store.EntryPublished && !creating:
			errs.Add("status", "a published entry cannot go back to draft")
		default:
			e.Status = *in.Status
		}
	}
	return errs.Err()
}

// checkRelationship turns "not the user's relationship" into a field error.
func checkRelationship(ctx context.Context, tx *store.Tx, userID, id string) error {
	if _, err := tx.GetRelationship(ctx, userID, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return validate.Field("relationshipId", "is not one of your relationships")
		}
		return err
	}
	return nil
}

// CreateEntry writes a new entry. A published one has its analysis queued
// in the same transaction: the response carries the queued status at once,
// and an entry never exists without its queued analysis.
func (s *Service) CreateEntry(ctx context.Context, userID string, in EntryInput) (EntryView, error) {
	e := store.Entry{UserID: userID, Status: store.EntryPublished}
	if err := ValidateEntry(in, &e, true); err != nil {
		return EntryView{}, err
	}
	id, err := newID()
	if err != nil {
		return EntryView{}, err
	}
	now := s.now()
	e.ID, e.CreatedAt, e.UpdatedAt = id, now, now
	if e.Status == store.EntryPublished {
		e.PublishedAt = now
	}
	var v EntryView
	err = s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		// The relationship's ownership is checked by the insert itself.
		if err := tx.InsertOwnedEntry(ctx, e); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return validate.Field("relationshipId", "is not one of your relationships")
			}
			return err
		}
		if err := s.entryEvent(ctx, tx, store.EventEntryCreated, e, now); err != nil {
			return err
		}
		v = EntryView{Entry: e}
		if e.Status == store.EntryPublished {
			st, err := s.queueAnalysis(ctx, tx, e, now, false)
			if err != nil {
				return err
			}
			v.AnalysisStatus = &st
		}
		return nil
	})
	if err != nil {
		return EntryView{}, fmt.Errorf("create entry: %w", err)
	}
	return v, nil
}

func (s *Service) entryEvent(ctx context.Context, tx *store.Tx, typ string, e store.Entry, now time.Time) error {
	_, err := tx.AppendEvent(ctx, store.Event{UserID: e.UserID, Type: typ, EntityID: e.ID, RelationshipID: e.RelationshipID,
		Data: map[string]string{"status": e.Status}, At: now})
	return err
}

// sameEntry reports whether an update changed nothing the user can see.
func sameEntry(a, b store.Entry) bool {
	return a.RelationshipID == b.RelationshipID && a.Content == b.Content && a.Mood == b.Mood &&
		slices.Equal(a.Tags, b.Tags) && a.IsPrivate == b.IsPrivate && a.Status == b.Status
}

// UpdateEntry applies a partial update; auto-save calls it every couple of
// seconds while the user types. An update that changes nothing writes
// nothing. Publishing a draft queues its analysis; changing a published
// entry's content (or relationship) re-queues it, replacing any job still
// waiting. An entry deleted meanwhile is ErrNotFound.
func (s *Service) UpdateEntry(ctx context.Context, userID, id string, in EntryInput) (EntryView, error) {
	var v EntryView
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		old, err := tx.GetEntryForUpdate(ctx, userID, id)
		if err != nil {
			return err
		}
		e := old
		e.Tags = slices.Clone(old.Tags)
		if err := ValidateEntry(in, &e, false); err != nil {
			return err
		}
		v.Entry = e
		if sameEntry(old, e) {
			v.Entry = old
			return s.loadStatus(ctx, &tx.Queries, &v)
		}
		if e.RelationshipID != old.RelationshipID {
			if err := checkRelationship(ctx, tx, userID, e.RelationshipID); err != nil {
				return err
			}
		}
		now := s.now()
		e.UpdatedAt = now
		if old.Status == store.EntryDraft && e.Status == store.EntryPublished {
			e.PublishedAt = now
		}
		if err := tx.UpdateEntry(ctx, e); err != nil {
			return err
		}
		if err := s.entryEvent(ctx, tx, store.EventEntryUpdated, e, now); err != nil {
			return err
		}
		v.Entry = e
		if old.Status == store.EntryPublished && (e.Status != store.EntryPublished || e.RelationshipID != old.RelationshipID) {
			if err := s.evidenceChanged(ctx, tx, userID, id, now, old.RelationshipID, e.RelationshipID); err != nil {
				return err
			}
		}
		requeue := e.Status == store.EntryPublished &&
			(old.Status == store.EntryDraft || e.Content != old.Content || e.RelationshipID != old.RelationshipID)
		if !requeue {
			return s.loadStatus(ctx, &tx.Queries, &v)
		}
		st, err := s.queueAnalysis(ctx, tx, e, now, old.Status == store.EntryPublished)
		if err != nil {
			return err
		}
		v.AnalysisStatus = &st
		return nil
	})
	if err != nil {
		return EntryView{}, fmt.Errorf("update entry: %w", err)
	}
	return v, nil
}

// loadStatus fills in the analysis status of a published entry.
func (s *Service) loadStatus(ctx context.Context, q *store.Queries, v *EntryView) error {
	if v.Entry.Status != store.EntryPublished {
		return nil
	}
	st, err := q.GetAnalysisStatus(ctx, v.Entry.UserID, v.Entry.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v.AnalysisStatus = &st
	return nil
}

// GetEntry returns one of the user's entries with its analysis status and
// its latest stored analysis (kept while a re-analysis is queued).
func (s *Service) GetEntry(ctx context.Context, userID, id string) (EntryView, error) {
	e, err := s.store.GetEntry(ctx, userID, id)
	if err != nil {
		return EntryView{}, err
	}
	v := EntryView{Entry: e}
	if err := s.loadStatus(ctx, &s.store.Queries, &v); err != nil {
		return EntryView{}, err
	}
	if v.AnalysisStatus != nil {
		a, err := s.store.GetAnalysis(ctx, userID, id)
		switch {
		case err == nil:
			v.Analysis = &a
		case !errors.Is(err, store.ErrNotFound):
			return EntryView{}, err
		}
	}
	return v, nil
}

// DeleteEntry deletes the entry; its analysis, status and waiting job go
// with it in the same transaction.
func (s *Service) DeleteEntry(ctx context.Context, userID, id string) error {
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		e, err := tx.GetEntryForUpdate(ctx, userID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteEntry(ctx, userID, id); err != nil {
			return err
		}
		if e.Status == store.EntryPublished {
			if err := s.jobs.CancelAnalysis(ctx, tx, id); err != nil {
				return err
			}
			if err := s.evidenceChanged(ctx, tx, userID, id, s.now(), e.RelationshipID); err != nil {
				return err
			}
		}
		return s.entryEvent(ctx, tx, store.EventEntryDeleted, e, s.now())
	})
	if err != nil {
		return fmt.Errorf("delete entry: %w", err)
	}
	return nil
}

// errNotRetryable is a 409: an analysis that is queued or running (or a
// draft's, which does not exist) cannot be retried.
var errNotRetryable = &store.ConflictError{Message: "this entry's analysis is already queued or running; wait for it to finish before retrying"}

// RetryAnalysis re-queues a published entry's analysis unless it is
// already queued or running.
func (s *Service) RetryAnalysis(ctx context.Context, userID, entryID string) (store.AnalysisStatus, error) {
	var st store.AnalysisStatus
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		e, err := tx.GetEntryForUpdate(ctx, userID, entryID)
		if err != nil {
			return err
		}
		if e.Status != store.EntryPublished {
			return &store.ConflictError{Message: "this entry is a draft; publish it and it will be analysed"}
		}
		cur, err := tx.GetAnalysisStatus(ctx, userID, entryID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && (cur.Status == store.AnalysisQueued || cur.Status == store.AnalysisProcessing) {
			return errNotRetryable
		}
		st, err = s.queueAnalysis(ctx, tx, e, s.now(), true)
		return err
	})
	if err != nil {
		return store.AnalysisStatus{}, fmt.Errorf("retry analysis: %w", err)
	}
	return st, nil
}

var analysisStatuses = []string{store.AnalysisQueued, store.AnalysisProcessing, store.AnalysisCompleted, store.AnalysisFallback, store.AnalysisFailed}

// ListAnalysisStatuses returns a page of the user's analysis statuses in
// their entries' order, newest first, optionally only those in status.
func (s *Service) ListAnalysisStatuses(ctx context.Context, userID, status string, page PageRequest) (Page[store.AnalysisStatus], error) {
	if status != "" && !slices.Contains(analysisStatuses, status) {
		return Page[store.AnalysisStatus]{}, validate.Field("status", "must be one of "+strings.Join(analysisStatuses, ", "))
	}
	after, err := s.cursors.ParseTime(ctx, page.Cursor)
	if err != nil {
		return Page[store.AnalysisStatus]{}, err
	}
	limit := page.limit()
	rows, err := s.store.ListAnalysisStatuses(ctx, userID, status, after, limit+1)
	if err != nil {
		return Page[store.AnalysisStatus]{}, err
	}
	return timePage(ctx, s, rows, limit, func(st store.AnalysisStatus) (time.Time, string) { return st.EntryCreatedAt, st.EntryID })
}
