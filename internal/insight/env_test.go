package insight_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recordingJobs records what would be queued.
type recordingJobs struct {
	mu         sync.Mutex
	recomputes []queue.RecomputeScoreArgs
	reminders  []queue.SendReminderArgs
}

func (j *recordingJobs) EnqueueRecompute(_ context.Context, _ *store.Tx, userID, rel, cause string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recomputes = append(j.recomputes, queue.RecomputeScoreArgs{UserID: userID, RelationshipID: rel, Cause: cause})
	return nil
}

func (j *recordingJobs) EnqueueReminder(_ context.Context, _ *store.Tx, userID, date string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.reminders = append(j.reminders, queue.SendReminderArgs{UserID: userID, LocalDate: date})
	return nil
}

// mailbox records sent mail; fail makes the next sends fail.
type mailbox struct {
	mu   sync.Mutex
	sent []mail.Message
	fail int
}

func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail > 0 {
		m.fail--
		return fmt.Errorf("SMTP 451 try again later")
	}
	m.sent = append(m.sent, msg)
	return nil
}

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

type env struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	svc   *insight.Service
	jobs  *recordingJobs
	mail  *mailbox
	clock *clock
	n     int
}

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, s *store.Store) *env {
	e := &env{t: t, ctx: context.Background(), s: s, jobs: &recordingJobs{}, mail: &mailbox{}, clock: &clock{t: start}}
	e.svc = newEnvService(e)
	return e
}

func newEnvService(e *env) *insight.Service {
	return insight.New(insight.Config{Store: e.s, Jobs: e.jobs, Mailer: e.mail, BaseURL: "https://journal.example", Now: e.clock.Now})
}

func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, newEnv(t, s)) })
}

func (e *env) user(id, prefs, flags string) string {
	e.t.Helper()
	storetest.AddUser(e.t, e.s, id, prefs)
	e.exec(`UPDATE users SET email_verified_at = ? WHERE id = ?`, store.DBTime(start.Add(-24*time.Hour)), id)
	if flags == "" {
		flags = `{"smartReminders":true}`
	}
	e.exec(`INSERT INTO feature_flags (user_id, flags, updated_at) VALUES (?, ?, ?)`, id, flags, store.DBTime(start))
	return id
}

func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.s.WriteDB().ExecContext(e.ctx, e.s.Rebind(query), args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

func (e *env) relationship(userID, name string) string {
	e.t.Helper()
	e.n++
	id := fmt.Sprintf("%s-rel-%d", userID, e.n)
	err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateRelationship(e.ctx, store.Relationship{ID: id, UserID: userID, Name: name, Kind: "partner", CreatedAt: start.Add(-365 * 24 * time.Hour), UpdatedAt: start})
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// analysis describes an analysed entry to insert.
type analysisSpec struct {
	at        time.Time
	sentiment float64
	dynamics  []string
	triggers  []string
	themes    []string
	ai        bool
}

// entry inserts a published entry with its analysis and calls the
// analysis-landed hook in the same transaction, as the pipeline does.
func (e *env) entry(userID, rel string, a analysisSpec) string {
	e.t.Helper()
	e.n++
	id := fmt.Sprintf("%s-entry-%05d", userID, e.n)
	if a.dynamics == nil {
		a.dynamics = []string{}
	}
	if a.triggers == nil {
		a.triggers = []string{}
	}
	if a.themes == nil {
		a.themes = []string{}
	}
	patterns, _ := json.Marshal(map[string]any{"recurring_themes": a.themes, "emotional_triggers": a.triggers,
		"communication_style": "neutral", "relationship_dynamics": a.dynamics})
	method, source := "rule_based_fallback", "fallback_analysis"
	if a.ai {
		method, source = "ai_powered", "external_api"
	}
	err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertEntry(e.ctx, store.Entry{ID: id, UserID: userID, RelationshipID: rel, Content: "entry " + id, Status: store.EntryPublished,
			PublishedAt: a.at, CreatedAt: a.at, UpdatedAt: a.at}); err != nil {
			return err
		}
		if err := tx.SaveAnalysis(e.ctx, store.Analysis{EntryID: id, UserID: userID, RelationshipID: rel, SentimentScore: a.sentiment,
			ConfidenceLevel: 0.7, Patterns: patterns, ProcessingSource: source, AnalysisMethod: method, CompletedAt: e.clock.Now()}); err != nil {
			return err
		}
		return e.svc.AnalysisLanded(e.ctx, tx, userID, rel, id, e.clock.Now())
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) recompute(userID, rel string) insight.RecomputeResult {
	e.t.Helper()
	res, err := e.svc.Recompute(e.ctx, userID, rel)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.s.WriteDB().QueryRowContext(e.ctx, e.s.Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *env) events(userID, typ string) int {
	return e.count(`SELECT COUNT(*) FROM events WHERE user_id = ? AND type = ?`, userID, typ)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var _ = strings.Contains

type pageReq = journal.PageRequest
