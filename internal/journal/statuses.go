package journal

import (
	"context"
	"errors"

	"github.com/resonant-journal/resonant/internal/store"
)

// AnalysisStatuses returns the analysis status of each of the user's
// entries in entryIDs that has one (drafts and other users' entries have
// none), for lists that show a badge per entry.
func (s *Service) AnalysisStatuses(ctx context.Context, userID string, entryIDs []string) (map[string]store.AnalysisStatus, error) {
	out := make(map[string]store.AnalysisStatus, len(entryIDs))
	for _, id := range entryIDs {
		st, err := s.store.GetAnalysisStatus(ctx, userID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, nil
}
