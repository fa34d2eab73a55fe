package queue

import "github.com/riverqueue/river"

// AnalyzeEntryArgs asks for one journal entry to be analysed. The journal
// inserts it in the same transaction that publishes the entry and marks its
// analysis queued; the analysis pipeline works it.
type AnalyzeEntryArgs struct {
	EntryID string `json:"entryId"`
	UserID  string `json:"userId"`
}

// Kind implements river.JobArgs.
func (AnalyzeEntryArgs) Kind() string { return "analyze_entry" }

// RecomputeScoreArgs asks for one relationship's health score and insights
// to be recomputed from its stored analyses. It is inserted in the same
// transaction that finishes an analysis (or deletes, moves or unpublishes
// an analysed entry), so a change is never missed.
type RecomputeScoreArgs struct {
	UserID         string `json:"userId"`
	RelationshipID string `json:"relationshipId"`
	// Cause identifies what asked (an analysis round or a deletion), so the
	// same cause never queues two jobs (River unique by args).
	Cause string `json:"cause"`
}

// Kind implements river.JobArgs.
func (RecomputeScoreArgs) Kind() string { return "recompute_score" }

// InsertOpts: a few attempts (the work is local and quick); one job per
// cause while it waits, runs or was recently completed.
func (RecomputeScoreArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RefreshTrendsArgs is the periodic job that recomputes expired trend caches.
type RefreshTrendsArgs struct{}

// Kind implements river.JobArgs.
func (RefreshTrendsArgs) Kind() string { return "refresh_trends" }

// RemindersArgs is the periodic job that claims the reminders due now.
type RemindersArgs struct{}

// Kind implements river.JobArgs.
func (RemindersArgs) Kind() string { return "reminders" }

// SendReminderArgs sends one claimed reminder.
type SendReminderArgs struct {
	UserID    string `json:"userId"`
	LocalDate string `json:"localDate"`
}

// Kind implements river.JobArgs.
func (SendReminderArgs) Kind() string { return "send_reminder" }

// InsertOpts: retried for about a quarter of an hour of mail trouble; one
// job per user and day.
func (SendReminderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 6, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
