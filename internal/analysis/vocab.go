package analysis

// The vocabularies below are the only values an analyzer may emit in Patterns (the
// offline analyzer draws on them; LLMs are told them in the prompt and held to them by
// Sanitize). They are exported as functions returning fresh slices so callers cannot
// change what the contract itself uses. docs/analyzer.md defines each value.

// Recurring themes: what an entry is about.
const (
	ThemeCommunication = "communication"
	ThemeQualityTime   = "quality_time"
	ThemeTrust         = "trust"
	ThemeIntimacy      = "intimacy"
	ThemeMoney         = "money"
	ThemeChores        = "chores"
	ThemeFamily        = "family"
	ThemeWorkStress    = "work_stress"
	ThemeHealth        = "health"
	ThemePlansGoals    = "plans_goals"
)

// Emotional triggers: what set off a difficult feeling in the entry.
const (
	TriggerStress               = "stress"
	TriggerMisunderstanding     = "misunderstanding"
	TriggerFeelingIgnored       = "feeling_ignored"
	TriggerFeelingCriticized    = "feeling_criticized"
	TriggerFeelingUnappreciated = "feeling_unappreciated"
	TriggerBrokenPromise        = "broken_promise"
	TriggerJealousy             = "jealousy"
	TriggerDishonesty           = "dishonesty"
	TriggerMoneyWorries         = "money_worries"
	TriggerHouseholdLoad        = "household_load"
	TriggerLackOfTime           = "lack_of_time"
	TriggerFamilyPressure       = "family_pressure"
	TriggerHealthWorries        = "health_worries"
	TriggerLoneliness           = "loneliness"
)

// Communication styles: the single most characteristic way the entry describes people
// talking to each other.
const (
	StyleCollaborative = "collaborative"
	StyleDirect        = "direct"
	StyleNeutral       = "neutral"
	StyleAppreciative  = "appreciative"
	StyleCritical      = "critical"
	StyleDefensive     = "defensive"
	StyleWithdrawn     = "withdrawn"
)

// Relationship dynamics: Gottman's four horsemen and their antidotes, repair attempts,
// bids and responses, and language markers.
const (
	DynamicCriticism            = "criticism"
	DynamicContempt             = "contempt"
	DynamicDefensiveness        = "defensiveness"
	DynamicStonewalling         = "stonewalling"
	DynamicGentleStartup        = "gentle_startup"
	DynamicAppreciation         = "appreciation"
	DynamicTakingResponsibility = "taking_responsibility"
	DynamicSelfSoothing         = "self_soothing"
	DynamicRepairAttempt        = "repair_attempt"
	DynamicBidForConnection     = "bid_for_connection"
	DynamicTurningToward        = "turning_toward"
	DynamicTurningAway          = "turning_away"
	DynamicWeLanguage           = "we_language"
	DynamicYouLanguage          = "you_language"
	DynamicAbsolutistLanguage   = "absolutist_language"
	DynamicMutualSupport        = "mutual_support"
	DynamicConflict             = "conflict"
)

// Themes returns the recurring_themes vocabulary in display order.
func Themes() []string {
	return []string{ThemeCommunication, ThemeQualityTime, ThemeTrust, ThemeIntimacy, ThemeMoney,
		ThemeChores, ThemeFamily, ThemeWorkStress, ThemeHealth, ThemePlansGoals}
}

// Triggers returns the emotional_triggers vocabulary.
func Triggers() []string {
	return []string{TriggerStress, TriggerMisunderstanding, TriggerFeelingIgnored,
		TriggerFeelingCriticized, TriggerFeelingUnappreciated, TriggerBrokenPromise,
		TriggerJealousy, TriggerDishonesty, TriggerMoneyWorries, TriggerHouseholdLoad,
		TriggerLackOfTime, TriggerFamilyPressure, TriggerHealthWorries, TriggerLoneliness}
}

// CommunicationStyles returns the communication_style vocabulary. The spec's three
// values (direct, collaborative, neutral) are always valid; the others name the
// Gottman pattern that dominated the entry.
func CommunicationStyles() []string {
	return []string{StyleCollaborative, StyleDirect, StyleNeutral, StyleAppreciative,
		StyleCritical, StyleDefensive, StyleWithdrawn}
}

// Dynamics returns the relationship_dynamics vocabulary.
func Dynamics() []string {
	return []string{DynamicCriticism, DynamicContempt, DynamicDefensiveness,
		DynamicStonewalling, DynamicGentleStartup, DynamicAppreciation,
		DynamicTakingResponsibility, DynamicSelfSoothing, DynamicRepairAttempt,
		DynamicBidForConnection, DynamicTurningToward, DynamicTurningAway,
		DynamicWeLanguage, DynamicYouLanguage, DynamicAbsolutistLanguage,
		DynamicMutualSupport, DynamicConflict}
}

// The actors of a Behaviour: the person writing the entry, the other person in the
// relationship written about, or both of them.
const (
	ActorWriter = "writer"
	ActorOther  = "other"
	ActorBoth   = "both"
)

// Actors returns the values of Behaviour.Actor.
func Actors() []string { return []string{ActorWriter, ActorOther, ActorBoth} }

// Behaviours returns the dynamics that are acts between two people (Gottman's four
// horsemen, their antidotes, repair, bids and the responses to them): the labels of
// Patterns.Behaviours, each reported with who did it.
func Behaviours() []string {
	return []string{DynamicCriticism, DynamicContempt, DynamicDefensiveness,
		DynamicStonewalling, DynamicGentleStartup, DynamicAppreciation,
		DynamicTakingResponsibility, DynamicSelfSoothing, DynamicRepairAttempt,
		DynamicBidForConnection, DynamicTurningToward, DynamicTurningAway}
}
