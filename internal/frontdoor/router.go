package frontdoor

import "net/http"

// Router registers routes on a mux, each marked where it is registered:
//
//   - Public: anyone; cookie-sent writes must come from our own origin.
//   - Protected: a signed-in user (UserID is set), else turned away — 401
//     JSON on an API router, a redirect to the sign-in page on a page router.
//   - Signed: the request authenticates itself (a webhook's signature), so
//     no cookie is involved and cross-origin protection does not apply.
//
// Several routers may share one mux (the server's route table): the JSON
// API, the web pages and the event stream differ only in how they answer
// a visitor who is not signed in.
type Router struct {
	door   *Door
	mux    *http.ServeMux
	deny   http.HandlerFunc // a protected route without a user
	forbid http.HandlerFunc // a cross-origin cookie request
}

// APIRouter registers JSON routes on mux: protected routes answer 401 in
// the API's error format.
func (d *Door) APIRouter(mux *http.ServeMux) *Router {
	return &Router{door: d, mux: mux, deny: unauthenticatedJSON, forbid: func(w http.ResponseWriter, _ *http.Request) {
		WriteJSONError(w, http.StatusForbidden, "cross_origin", "cross-origin request refused", nil)
	}}
}

// PageRouter registers HTML routes on mux: protected routes send a visitor
// who is not signed in to the sign-in page (SignInPath), remembering where
// a GET was going.
func (d *Door) PageRouter(mux *http.ServeMux) *Router {
	return &Router{door: d, mux: mux, deny: redirectToSignIn, forbid: func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}}
}

// Public registers a route anyone may call.
func (rt *Router) Public(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, rt.checkOrigin(h))
}

// Protected registers a route that needs a signed-in user.
func (rt *Router) Protected(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, rt.checkOrigin(func(w http.ResponseWriter, r *http.Request) {
		if UserID(r.Context()) == "" {
			rt.deny(w, r)
			return
		}
		h(w, r)
	}))
}

// Signed registers a route whose requests carry their own proof (a signed
// webhook); it is public and exempt from cross-origin protection, so it
// must verify that proof itself.
func (rt *Router) Signed(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, h)
}

func (rt *Router) checkOrigin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rt.door.crossOriginOK(r) {
			rt.forbid(w, r)
			return
		}
		h(w, r)
	})
}
