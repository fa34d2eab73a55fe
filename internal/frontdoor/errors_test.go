package frontdoor_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/store"
)

// TestConflictMessagesCarryNoCallChains: a conflict's answer is the
// message its service wrote for people, whatever wrapping the error got
// on its way up for the logs; a conflict without one gets a general
// message, never the wrapped text (which may hold an email address).
func TestConflictMessagesCarryNoCallChains(t *testing.T) {
	forPeople := &store.ConflictError{Message: "this relationship has journal entries; to delete them with it, add ?cascade=true"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{forPeople, forPeople.Message},
		{fmt.Errorf("delete relationship: %w", forPeople), forPeople.Message},
		{fmt.Errorf("api: %w", fmt.Errorf("delete relationship: %w", forPeople)), forPeople.Message},
		{fmt.Errorf("user ann@example.com: %w", store.ErrConflict), "this conflicts with something that changed or already exists; reload and try again"},
	} {
		p := frontdoor.Classify(tc.err)
		if p.Status != http.StatusConflict || p.Code != "conflict" || p.Message != tc.want {
			t.Errorf("Classify(%q) = %d %s %q, want 409 conflict %q", tc.err, p.Status, p.Code, p.Message, tc.want)
		}
		if strings.Contains(p.Message, "ann@example.com") || strings.Contains(p.Message, "delete relationship:") {
			t.Errorf("Classify(%q) leaks %q", tc.err, p.Message)
		}
	}
	if !errors.Is(fmt.Errorf("x: %w", forPeople), store.ErrConflict) {
		t.Error("a ConflictError is not a store.ErrConflict")
	}
}
