package server

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/store"
)

// Mounter is a front door that registers its routes on the route table:
// internal/api, internal/web, internal/realtime.
type Mounter interface {
	Mount(rt *frontdoor.Router)
}

// Routes is what the route table mounts side by side.
type Routes struct {
	// Door wraps every route: security headers, session, who is signed in.
	Door *frontdoor.Door
	// Store answers /readyz.
	Store *store.Store
	// API is the JSON API under /api/v1 (internal/api).
	API Mounter
	// Stream is the event stream (internal/realtime); nil until it exists.
	Stream Mounter
	// Pages are the web pages (internal/web); nil serves placeholders that
	// keep the page paths' public/protected split (see noPages).
	Pages Mounter
	// Metrics serves GET /metrics on this listener; nil when the metrics
	// have their own listener (--metrics-addr).
	Metrics http.Handler
	// Instrument wraps the whole table to count and time requests; nil
	// means none.
	Instrument func(http.Handler) http.Handler
}

// Handler builds the one route table. Each route is marked public,
// protected or signed where it is registered: here, or in the Mount of
// the package that serves it.
//
// A new JSON endpoint goes in internal/api's Mount, a new page in
// internal/web's, a new stream in internal/realtime's; a new front door
// is one more Mounter here.
func (rs Routes) Handler() http.Handler {
	mux := http.NewServeMux()
	apiRoutes := rs.Door.APIRouter(mux)
	pageRoutes := rs.Door.PageRouter(mux)

	// Health and metrics: public, for load balancers and scrapers.
	apiRoutes.Public("GET /healthz", healthz)
	apiRoutes.Public("GET /readyz", readyz(rs.Store))
	if rs.Metrics != nil {
		apiRoutes.Public("GET /metrics", rs.Metrics.ServeHTTP)
	}

	// The JSON API: /api/v1/...
	rs.API.Mount(apiRoutes)

	// The event stream: JSON-style answers (401, not a redirect).
	if rs.Stream != nil {
		rs.Stream.Mount(apiRoutes)
	}

	// Web pages: everything else.
	pages := rs.Pages
	if pages == nil {
		pages = noPages{}
	}
	pages.Mount(pageRoutes)

	h := rs.Door.Wrap(mux)
	if rs.Instrument != nil {
		h = rs.Instrument(h)
	}
	return h
}

// noPages stands in for internal/web until it is mounted: the pages it
// will serve answer 404, the public ones to anybody and every other path
// only to a signed-in user (a visitor is sent to the sign-in page first).
type noPages struct{}

func (noPages) Mount(rt *frontdoor.Router) {
	for _, p := range []string{"/{$}", frontdoor.SignInPath, "/signup", "/verify", "/reset", "/forgot", "/static/", "/favicon.ico", "/robots.txt"} {
		rt.Public(p, http.NotFound)
	}
	rt.Protected("/", http.NotFound)
}
