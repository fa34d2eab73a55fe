package journal

// Size is the page size p asks for, defaulted and capped.
func (p PageRequest) Size() int { return p.limit() }
