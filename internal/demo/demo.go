// Package demo writes a realistic demo journal for one new user: a few
// relationships, a few months of entries with varied text written at
// their own times, each analysed by the offline analyzer through the
// analysis pipeline's worker, and the scores and insights recomputed as
// the journal grows — so the dashboard, its charts and insights show what
// a real journal looks like (`resonant dev seed-demo`, the screenshots).
//
// It writes through the same services as the server, with their clocks
// set to each entry's time, and inserts no jobs: the work a server would
// queue is done in place, so the journal is complete when Seed returns.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

// Config says whose journal to write and over which days.
type Config struct {
	Store    *store.Store
	Accounts *accounts.Service
	// Email, Name and Password of the new user (Password "" makes an
	// account that cannot sign in with a password).
	Email, Name, Password string
	// PasswordParams hash the password; zero means accounts.DefaultPasswordParams.
	PasswordParams accounts.PasswordParams
	// Timezone is the user's IANA time zone; "" means UTC.
	Timezone string
	// End is when the journal ends (now); Days how many days it spans
	// (0 means 120).
	End  time.Time
	Days int
	// Seed picks the texts and times; the same seed writes the same journal.
	Seed uint64
}

// Result says what was written.
type Result struct {
	UserID         string
	Relationships  int
	Entries        int
	Drafts         int
	ActiveInsights int
}

// ErrUserExists is returned, with nothing written, when the email is taken.
var ErrUserExists = errors.New("a user with this email already exists")

// clock is the time every service sees while the journal is written.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// noJobs inserts no jobs: Seed does their work itself.
type noJobs struct{}

func (noJobs) EnqueueAnalysis(context.Context, *store.Tx, string, ...string) error       { return nil }
func (noJobs) CancelAnalysis(context.Context, *store.Tx, string) error                   { return nil }
func (noJobs) CancelOrphanedAnalyses(context.Context, *store.Tx, string) error           { return nil }
func (noJobs) EnqueueRecompute(context.Context, *store.Tx, string, string, string) error { return nil }
func (noJobs) EnqueueReminder(context.Context, *store.Tx, string, string) error          { return nil }

// planned is one entry to write.
type planned struct {
	at    time.Time
	rel   int
	text  string
	mood  string
	draft bool
}

// Seed writes the demo journal. It refuses (ErrUserExists) when a user
// with cfg.Email exists, so running it twice changes nothing.
func Seed(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Store == nil || cfg.Accounts == nil || cfg.Email == "" || cfg.Name == "" {
		return Result{}, errors.New("demo: Store, Accounts, Email and Name are required")
	}
	if cfg.Days <= 0 {
		cfg.Days = 120
	}
	if cfg.End.IsZero() {
		cfg.End = time.Now()
	}
	if cfg.Timezone == "" {
		cfg.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return Result{}, fmt.Errorf("demo: time zone %q: %w", cfg.Timezone, err)
	}
	end := cfg.End.UTC().Truncate(time.Second)
	start := end.AddDate(0, 0, -cfg.Days)
	if _, err := cfg.Accounts.UserByEmail(ctx, cfg.Email); err == nil {
		return Result{}, fmt.Errorf("demo: %s: %w", cfg.Email, ErrUserExists)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Result{}, fmt.Errorf("demo: %w", err)
	}

	hash := ""
	if cfg.Password != "" {
		params := cfg.PasswordParams
		if params == (accounts.PasswordParams{}) {
			params = accounts.DefaultPasswordParams
		}
		if hash, err = accounts.HashPassword(cfg.Password, params); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	u, created, err := cfg.Accounts.CreateUser(ctx, accounts.NewUser{Email: cfg.Email, Name: cfg.Name, PasswordHash: hash, EmailVerified: true})
	if err != nil {
		return Result{}, fmt.Errorf("demo: create user: %w", err)
	}
	if !created {
		return Result{}, fmt.Errorf("demo: %s: %w", cfg.Email, ErrUserExists)
	}
	if _, err := cfg.Accounts.CompleteOnboarding(ctx, u.ID, &accounts.PreferencesPatch{Timezone: &cfg.Timezone}); err != nil {
		return Result{}, fmt.Errorf("demo: onboarding: %w", err)
	}
	for _, flag := range []string{"conversationStarters"} {
		if _, err := cfg.Accounts.SetFlag(ctx, u.Email, flag, true); err != nil {
			return Result{}, fmt.Errorf("demo: flag %s: %w", flag, err)
		}
	}

	clk := &clock{t: start.Add(-time.Hour)}
	jr := journal.New(journal.Config{Store: cfg.Store, Enqueuer: noJobs{}, Now: clk.now})
	ins := insight.New(insight.Config{Store: cfg.Store, Jobs: noJobs{}, Now: clk.now})
	worker := pipeline.NewWorker(pipeline.Config{Store: cfg.Store, Now: clk.now})

	res := Result{UserID: u.ID}
	relIDs := make([]string, len(people))
	for i, p := range people {
		name, kind, notes := p.Name, p.Kind, p.Notes
		r, err := jr.CreateRelationship(ctx, u.ID, journal.RelationshipInput{Name: &name, Kind: &kind, Notes: &notes})
		if err != nil {
			return res, fmt.Errorf("demo: relationship %s: %w", name, err)
		}
		relIDs[i] = r.ID
		res.Relationships++
	}

	for _, pl := range plan(start, end, loc, cfg.Seed) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		clk.t = pl.at
		status := store.EntryPublished
		if pl.draft {
			status = store.EntryDraft
		}
		v, err := jr.CreateEntry(ctx, u.ID, journal.EntryInput{RelationshipID: &relIDs[pl.rel], Content: &pl.text, Mood: &pl.mood, Status: &status})
		if err != nil {
			return res, fmt.Errorf("demo: entry: %w", err)
		}
		if pl.draft {
			res.Drafts++
			continue
		}
		clk.t = pl.at.Add(40 * time.Second)
		job := &river.Job[queue.AnalyzeEntryArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: queue.AnalyzeEntryArgs{EntryID: v.Entry.ID, UserID: u.ID}}
		if err := worker.Work(ctx, job); err != nil {
			return res, fmt.Errorf("demo: analyse entry: %w", err)
		}
		clk.t = pl.at.Add(time.Minute)
		if _, err := ins.Recompute(ctx, u.ID, relIDs[pl.rel]); err != nil {
			return res, fmt.Errorf("demo: recompute: %w", err)
		}
		res.Entries++
	}
	clk.t = end
	active, err := ins.Insights(ctx, u.ID, store.InsightActive, journal.PageRequest{Limit: journal.MaxLimit})
	if err != nil {
		return res, err
	}
	res.ActiveInsights = len(active.Items)
	return res, nil
}

// plan lays the entries out in time order: each person's entries at about
// their own rhythm, each made of two or three sentences of the phase it
// falls in, written at a plausible hour of the writer's day; the last one
// of all is a draft.
func plan(start, end time.Time, loc *time.Location, seed uint64) []planned {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	span := end.Sub(start)
	var out []planned
	for pi, p := range people {
		stop := end.AddDate(0, 0, -p.StopBefore)
		day := start.Add(time.Duration(r.Float64() * p.Every * float64(24*time.Hour)))
		used := map[string]int{}
		for day.Before(stop) {
			frac := float64(day.Sub(start)) / float64(span)
			ph := p.Phases[len(p.Phases)-1]
			for _, candidate := range p.Phases {
				if frac <= candidate.Until {
					ph = candidate
					break
				}
			}
			local := day.In(loc)
			hour := 7 + r.IntN(15) // 07:00 to 21:59
			at := time.Date(local.Year(), local.Month(), local.Day(), hour, r.IntN(60), 0, 0, loc)
			if at.After(end.Add(-10 * time.Minute)) {
				at = end.Add(-time.Duration(10+r.IntN(50)) * time.Minute)
			}
			out = append(out, planned{at: at.UTC(), rel: pi, text: compose(r, ph.Sentences, used), mood: ph.Moods[r.IntN(len(ph.Moods))]})
			gap := p.Every * (0.5 + r.Float64())
			day = day.Add(time.Duration(math.Max(gap, 0.6) * float64(24*time.Hour)))
		}
		if pi == 0 { // the partner was written about today, so the journal reads as current
			ph := p.Phases[len(p.Phases)-1]
			out = append(out, planned{at: end.Add(-time.Duration(30+r.IntN(60)) * time.Minute), rel: pi,
				text: compose(r, ph.Sentences, used), mood: ph.Moods[r.IntN(len(ph.Moods))]})
		}
	}
	slices.SortStableFunc(out, func(a, b planned) int { return a.at.Compare(b.at) })
	if n := len(out); n > 0 {
		// Dedupe identical instants (one writer, one entry at a time).
		for i := 1; i < n; i++ {
			if !out[i].at.After(out[i-1].at) {
				out[i].at = out[i-1].at.Add(time.Minute)
			}
		}
		out = append(out, planned{at: out[n-1].at.Add(5 * time.Minute), rel: 0, draft: true, mood: "thoughtful",
			text: "Started writing about the weekend with Sam's parents. Need to think about how I want to put it."})
	}
	return out
}

// compose joins two or three sentences of a phase, preferring the ones
// used least so far, so that entries vary.
func compose(r *rand.Rand, sentences []string, used map[string]int) string {
	n := 2 + r.IntN(2)
	picked := make([]string, 0, n)
	for len(picked) < n && len(picked) < len(sentences) {
		best := ""
		for range 4 {
			s := sentences[r.IntN(len(sentences))]
			if slices.Contains(picked, s) {
				continue
			}
			if best == "" || used[s] < used[best] {
				best = s
			}
		}
		if best == "" {
			continue
		}
		used[best]++
		picked = append(picked, best)
	}
	return strings.Join(picked, " ")
}
