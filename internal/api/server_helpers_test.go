package api_test

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/api"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/server"
	"github.com/resonant-journal/resonant/internal/store"
)

// routeTable is the server's route table with the API mounted, as serve
// builds it.
func routeTable(s *store.Store, acc *accounts.Service, clerk *accounts.Clerk, jr *journal.Service, sc frontdoor.SessionConfig) http.Handler {
	door := frontdoor.New(frontdoor.Config{Store: s, Accounts: acc, Clerk: clerk, Session: sc})
	return server.Routes{Door: door, Store: s, API: api.New(api.Config{Door: door, Journal: jr, Clerk: clerk})}.Handler()
}
