package queue

// AnalyzeEntryArgs asks for one journal entry to be analysed. The journal
// inserts it in the same transaction that publishes the entry and marks its
// analysis queued; the analysis pipeline works it.
type AnalyzeEntryArgs struct {
	EntryID string `json:"entryId"`
	UserID  string `json:"userId"`
}

// Kind implements river.JobArgs.
func (AnalyzeEntryArgs) Kind() string { return "analyze_entry" }
