package offline

import "github.com/resonant-journal/resonant/internal/analysis"

// The vocabularies the analyzer emits are the contract's (analysis/vocab.go);
// the names below let the detectors use them unqualified.

// Recurring themes: what an entry is about.
const (
	ThemeCommunication = analysis.ThemeCommunication
	ThemeQualityTime   = analysis.ThemeQualityTime
	ThemeTrust         = analysis.ThemeTrust
	ThemeIntimacy      = analysis.ThemeIntimacy
	ThemeMoney         = analysis.ThemeMoney
	ThemeChores        = analysis.ThemeChores
	ThemeFamily        = analysis.ThemeFamily
	ThemeWorkStress    = analysis.ThemeWorkStress
	ThemeHealth        = analysis.ThemeHealth
	ThemePlansGoals    = analysis.ThemePlansGoals
)

// Emotional triggers: what set off a difficult feeling in the entry.
const (
	TriggerStress               = analysis.TriggerStress
	TriggerMisunderstanding     = analysis.TriggerMisunderstanding
	TriggerFeelingIgnored       = analysis.TriggerFeelingIgnored
	TriggerFeelingCriticized    = analysis.TriggerFeelingCriticized
	TriggerFeelingUnappreciated = analysis.TriggerFeelingUnappreciated
	TriggerBrokenPromise        = analysis.TriggerBrokenPromise
	TriggerJealousy             = analysis.TriggerJealousy
	TriggerDishonesty           = analysis.TriggerDishonesty
	TriggerMoneyWorries         = analysis.TriggerMoneyWorries
	TriggerHouseholdLoad        = analysis.TriggerHouseholdLoad
	TriggerLackOfTime           = analysis.TriggerLackOfTime
	TriggerFamilyPressure       = analysis.TriggerFamilyPressure
	TriggerHealthWorries        = analysis.TriggerHealthWorries
	TriggerLoneliness           = analysis.TriggerLoneliness
)

// Communication styles: the single most characteristic way the entry describes people
// talking to each other.
const (
	StyleCollaborative = analysis.StyleCollaborative
	StyleDirect        = analysis.StyleDirect
	StyleNeutral       = analysis.StyleNeutral
	StyleAppreciative  = analysis.StyleAppreciative
	StyleCritical      = analysis.StyleCritical
	StyleDefensive     = analysis.StyleDefensive
	StyleWithdrawn     = analysis.StyleWithdrawn
)

// Relationship dynamics: Gottman's four horsemen and their antidotes, repair attempts,
// bids and responses, and language markers.
const (
	DynamicCriticism            = analysis.DynamicCriticism
	DynamicContempt             = analysis.DynamicContempt
	DynamicDefensiveness        = analysis.DynamicDefensiveness
	DynamicStonewalling         = analysis.DynamicStonewalling
	DynamicGentleStartup        = analysis.DynamicGentleStartup
	DynamicAppreciation         = analysis.DynamicAppreciation
	DynamicTakingResponsibility = analysis.DynamicTakingResponsibility
	DynamicSelfSoothing         = analysis.DynamicSelfSoothing
	DynamicRepairAttempt        = analysis.DynamicRepairAttempt
	DynamicBidForConnection     = analysis.DynamicBidForConnection
	DynamicTurningToward        = analysis.DynamicTurningToward
	DynamicTurningAway          = analysis.DynamicTurningAway
	DynamicWeLanguage           = analysis.DynamicWeLanguage
	DynamicYouLanguage          = analysis.DynamicYouLanguage
	DynamicAbsolutistLanguage   = analysis.DynamicAbsolutistLanguage
	DynamicMutualSupport        = analysis.DynamicMutualSupport
	DynamicConflict             = analysis.DynamicConflict
)

// The actors of a Behaviour: the person writing the entry, the other person in the
// relationship written about, or both of them.
const (
	ActorWriter = analysis.ActorWriter
	ActorOther  = analysis.ActorOther
	ActorBoth   = analysis.ActorBoth
)

// Themes returns the recurring_themes vocabulary in display order.
func Themes() []string { return analysis.Themes() }

// Triggers returns the emotional_triggers vocabulary.
func Triggers() []string { return analysis.Triggers() }

// CommunicationStyles returns the communication_style vocabulary.
func CommunicationStyles() []string { return analysis.CommunicationStyles() }

// Dynamics returns the relationship_dynamics vocabulary.
func Dynamics() []string { return analysis.Dynamics() }

// Actors returns the values of Behaviour.Actor.
func Actors() []string { return analysis.Actors() }

// Behaviours returns the labels of Patterns.Behaviours.
func Behaviours() []string { return analysis.Behaviours() }
