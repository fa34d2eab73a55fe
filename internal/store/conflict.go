package store

// ConflictError is a conflict whose Message is meant for the person who
// made the request: what is in the way and what to do about it. It
// matches ErrConflict (errors.Is), and the text survives any wrapping
// added for the logs ("delete relationship: %w"), since the HTTP layer
// answers with Message alone.
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
