package insight

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/cursor"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
)

// Jobs inserts this package's jobs inside a store transaction
// (queue.InsightJobs in production).
type Jobs interface {
	EnqueueRecompute(ctx context.Context, tx *store.Tx, userID, relationshipID, cause string) error
	EnqueueReminder(ctx context.Context, tx *store.Tx, userID, localDate string) error
}

// Config holds the service's dependencies.
type Config struct {
	Store *store.Store
	Jobs  Jobs
	// Mailer sends reminders; BaseURL prefixes their links.
	Mailer  mail.Mailer
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service computes and serves scores, insights, trends and reminders.
type Service struct {
	store   *store.Store
	cursors *cursor.Signer
	jobs    Jobs
	mailer  mail.Mailer
	baseURL string
	clock   func() time.Time
	log     *slog.Logger
	keys    keyCache
	parsed  *parsedCache
}

// New returns the service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, jobs: cfg.Jobs, mailer: cfg.Mailer, baseURL: cfg.BaseURL, clock: cfg.Now, log: cfg.Logger,
		parsed: &parsedCache{m: make(map[parsedKey]parsedValue), max: parsedCacheMax}}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.cursors = cursor.New(cfg.Store, s.clock)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// userSettings are the preferences and flags this package reads.
type userSettings struct {
	prefs accounts.Preferences
	flags accounts.FeatureFlags
	loc   *time.Location
}

func settingsOf(u store.User) userSettings {
	st := userSettings{prefs: accounts.DefaultPreferences(), flags: accounts.DefaultFeatureFlags()}
	_ = json.Unmarshal([]byte(u.Preferences), &st.prefs)
	_ = json.Unmarshal([]byte(u.FeatureFlags), &st.flags)
	loc, err := time.LoadLocation(st.prefs.Timezone)
	if err != nil || st.prefs.Timezone == "" {
		loc = time.UTC
	}
	st.loc = loc
	return st
}

// AnalysisLanded is called inside the transaction that stores a completed
// or fallback analysis: it makes the user's cached trends stale and queues
// the relationship's score recomputation, so both commit with the analysis
// (never missed) and the cause, the analysis round, queues one job only.
func (s *Service) AnalysisLanded(ctx context.Context, tx *store.Tx, userID, relationshipID, entryID string, completedAt time.Time) error {
	return s.AnalysesLanded(ctx, tx, []store.Analysis{{UserID: userID, RelationshipID: relationshipID, EntryID: entryID, CompletedAt: completedAt}})
}

// AnalysesLanded is AnalysisLanded for analyses stored in one transaction
// (the in-process analysis queue finishes a batch at a time): each user's
// trends are made stale once, and each relationship gets one recompute,
// which reads every analysis the transaction stored. Its cause is the last
// of them, so the same batch never queues twice.
func (s *Service) AnalysesLanded(ctx context.Context, tx *store.Tx, analyses []store.Analysis) error {
	type rel struct{ user, id string }
	last := make(map[rel]store.Analysis, 1)
	var order []rel
	var users []string
	for _, a := range analyses {
		k := rel{a.UserID, a.RelationshipID}
		if _, ok := last[k]; !ok {
			order = append(order, k)
			if !slices.Contains(users, a.UserID) {
				users = append(users, a.UserID)
			}
		}
		last[k] = a
	}
	for _, u := range users {
		if err := tx.InvalidateTrendCache(ctx, u); err != nil {
			return err
		}
	}
	for _, k := range order {
		a := last[k]
		if err := s.jobs.EnqueueRecompute(ctx, tx, k.user, k.id, "analysis:"+a.EntryID+":"+store.DBTime(a.CompletedAt)); err != nil {
			return err
		}
	}
	return nil
}

// EntryChanged is called inside the transaction that deletes an entry,
// unpublishes it or moves it to another relationship: every relationship
// it was or is in is recomputed from what is then stored.
func (s *Service) EntryChanged(ctx context.Context, tx *store.Tx, userID, entryID string, at time.Time, relationshipIDs ...string) error {
	if err := tx.InvalidateTrendCache(ctx, userID); err != nil {
		return err
	}
	for _, rel := range dedupe(relationshipIDs) {
		if err := s.jobs.EnqueueRecompute(ctx, tx, userID, rel, "entry:"+entryID+":"+store.DBTime(at)); err != nil {
			return err
		}
	}
	return nil
}

// basis fingerprints the analyses a score rests on.
func basis(ev []Evidence, completed map[string]time.Time) string {
	h := sha256.New()
	for _, e := range ev {
		fmt.Fprintf(h, "%s|%s|%s\n", e.EntryID, store.DBTime(e.WrittenAt), store.DBTime(completed[e.EntryID]))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// RecomputeResult says what a recomputation wrote.
type RecomputeResult struct {
	Score    *store.HealthScore // nil when unchanged or when there is no evidence
	Stale    bool               // the evidence changed meanwhile; a newer job does the work
	Insights int                // insights created or updated
}

// Recompute recalculates one relationship's health score and insights from
// its stored analyses (never incrementally). It reads in one snapshot and
// writes in one transaction, which it abandons when the evidence changed
// in between: the change queued a recomputation of its own.
func (s *Service) Recompute(ctx context.Context, userID, relationshipID string) (RecomputeResult, error) {
	var (
		rows    []store.ScoredAnalysis
		version int64
		prev    *store.HealthScore
		rel     store.Relationship
		last    []store.LastWritten
		user    store.User
	)
	err := s.store.ReadTx(ctx, func(q *store.Queries) error {
		var err error
		if rel, err = q.GetRelationship(ctx, userID, relationshipID); err != nil {
			return err
		}
		if user, err = q.UserByID(ctx, userID); err != nil {
			return err
		}
		if version, err = q.TrendVersion(ctx, userID); err != nil {
			return err
		}
		if rows, err = q.ScoredAnalyses(ctx, userID, relationshipID, time.Time{}, MaxEvidence); err != nil {
			return err
		}
		p, err := q.LatestHealthScore(ctx, userID, relationshipID)
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		last, err = q.LastWrittenPerRelationship(ctx, userID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return RecomputeResult{}, nil // the relationship (or user) is gone
	}
	if err != nil {
		return RecomputeResult{}, fmt.Errorf("recompute score: %w", err)
	}
	now := s.now()
	settings := settingsOf(user)
	ev := s.evidenceOf(rows)
	if len(ev) > 0 {
		ev = Select(ev, ev[0].WrittenAt)
	}
	completed := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		completed[r.EntryID] = r.CompletedAt
	}
	score, ok := Compute(ev)
	var res RecomputeResult
	var proposals []Proposal
	if ok {
		var prevScore *Score
		if prev != nil {
			prevScore = &Score{Score: prev.Score, Confidence: prev.Confidence}
		}
		recent := ev
		for i, e := range ev {
			if ev[0].WrittenAt.Sub(e.WrittenAt) > InsightWindow {
				recent = ev[:i]
				break
			}
		}
		proposals = Rules(RuleInput{RelationshipID: relationshipID, RelationshipName: rel.Name, Recent: recent,
			Previous: prevScore, Now: &score, Starters: settings.flags.ConversationStarters})
	}
	quiet := make([]QuietInput, len(last))
	for i, l := range last {
		quiet[i] = QuietInput{RelationshipID: l.RelationshipID, Name: l.Name, LastEntryAt: l.LastEntryAt}
	}
	proposals = append(proposals, QuietRule(now, quiet)...)

	err = s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		current, err := tx.ClaimTrendVersion(ctx, userID, version)
		if err != nil {
			return err
		}
		if !current {
			res.Stale = true
			return nil
		}
		if !ok {
			n, err := tx.DeleteHealthScores(ctx, userID, relationshipID)
			if err != nil || n == 0 {
				return err
			}
			_, err = tx.AppendEvent(ctx, store.Event{UserID: userID, Type: store.EventHealthScoreUpdated, RelationshipID: relationshipID,
				Data: map[string]any{"score": nil}, At: now})
			return err
		}
		b := basis(ev, completed)
		if prev == nil || prev.Basis != b {
			id, err := newID()
			if err != nil {
				return err
			}
			h := store.HealthScore{ID: id, UserID: userID, RelationshipID: relationshipID, Score: score.Score, FactorBreakdown: score.Factors,
				TrendDirection: score.TrendDirection, Confidence: score.Confidence, CalculationMethod: score.CalculationMethod,
				CalculatedAt: now, Basis: b, EntryCount: score.Entries, AsOf: score.AsOf}
			if err := tx.InsertHealthScore(ctx, h); err != nil {
				return err
			}
			if _, err := tx.AppendEvent(ctx, store.Event{UserID: userID, Type: store.EventHealthScoreUpdated, EntityID: id,
				RelationshipID: relationshipID, Data: map[string]any{"score": h.Score, "trendDirection": h.TrendDirection}, At: now}); err != nil {
				return err
			}
			res.Score = &h
		}
		n, err := s.applyProposals(ctx, tx, userID, relationshipID, proposals, now)
		res.Insights = n
		return err
	})
	if err != nil {
		return RecomputeResult{}, fmt.Errorf("store score: %w", err)
	}
	return res, nil
}

// retiredKinds are kinds whose active insight about a relationship is
// withdrawn when the rules no longer propose it (the situation changed).
var retiredKinds = []string{KindRatio, KindQuiet}

// applyProposals stores each proposal unless an equal insight is live
// (active, or dismissed and not yet expired), and retires insights of
// retiredKinds that no longer hold for relationshipID.
func (s *Service) applyProposals(ctx context.Context, tx *store.Tx, userID, relationshipID string, ps []Proposal, now time.Time) (int, error) {
	changed := 0
	keep := map[string]string{}
	for _, p := range ps {
		if p.RelationshipID == relationshipID {
			keep[p.Kind] = p.Key
		}
		n, err := s.apply(ctx, tx, userID, p, now)
		if err != nil {
			return changed, err
		}
		changed += n
	}
	for _, kind := range retiredKinds {
		ids, err := tx.RetireInsights(ctx, userID, relationshipID, kind, keep[kind], now)
		if err != nil {
			return changed, err
		}
		for _, id := range ids {
			if err := insightEvent(ctx, tx, store.EventInsightUpdated, userID, id, relationshipID, kind, "expired", now); err != nil {
				return changed, err
			}
		}
	}
	return changed, nil
}

func (s *Service) apply(ctx context.Context, tx *store.Tx, userID string, p Proposal, now time.Time) (int, error) {
	old, err := tx.GetInsightByKey(ctx, userID, p.Key)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if found && (old.ExpiresAt.IsZero() || old.ExpiresAt.After(now)) {
		if old.Status == store.InsightDismissed {
			return 0, nil // dismissed: stays dismissed until it would have expired
		}
		if old.Title == p.Title && old.Body == p.Body && slices.Equal(old.EvidenceEntryIDs, p.EvidenceEntryIDs) {
			return 0, nil
		}
		old.Title, old.Body, old.EvidenceEntryIDs, old.UpdatedAt = p.Title, p.Body, p.EvidenceEntryIDs, now
		if err := tx.PutInsight(ctx, old); err != nil {
			return 0, err
		}
		return 1, insightEvent(ctx, tx, store.EventInsightUpdated, userID, old.ID, p.RelationshipID, p.Kind, old.Status, now)
	}
	if found {
		// Expired: a new insight replaces it.
		if err := tx.DeleteInsight(ctx, userID, old.ID); err != nil {
			return 0, err
		}
	}
	id, err := newID()
	if err != nil {
		return 0, err
	}
	in := store.Insight{ID: id, UserID: userID, RelationshipID: p.RelationshipID, Kind: p.Kind, Title: p.Title, Body: p.Body,
		EvidenceEntryIDs: p.EvidenceEntryIDs, DedupeKey: p.Key, Status: store.InsightActive, CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.Add(p.TTL)}
	if err := tx.PutInsight(ctx, in); err != nil {
		return 0, err
	}
	return 1, insightEvent(ctx, tx, store.EventInsightCreated, userID, id, p.RelationshipID, p.Kind, store.InsightActive, now)
}

func insightEvent(ctx context.Context, tx *store.Tx, typ, userID, id, relationshipID, kind, status string, now time.Time) error {
	_, err := tx.AppendEvent(ctx, store.Event{UserID: userID, Type: typ, EntityID: id, RelationshipID: relationshipID,
		Data: map[string]string{"kind": kind, "status": status}, At: now})
	return err
}
