package frontdoor

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
)

// SessionConfig configures the session cookie and its lifetimes.
type SessionConfig struct {
	// Secure marks the cookie Secure (and sends HSTS); set it when the
	// public base URL is https.
	Secure bool
	// IdleTimeout signs a session out after this long without a request;
	// zero means 7 days.
	IdleTimeout time.Duration
	// Lifetime is the absolute limit from sign-in; zero means 30 days.
	Lifetime time.Duration
	// TrustedOrigins are origins (scheme://host[:port]) allowed to send
	// cookie-authenticated writes besides the request's own host, e.g. the
	// public base URL behind a proxy.
	TrustedOrigins []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// SessionCookieName is the session cookie's name.
const SessionCookieName = "resonant_session"

// Session keys set at sign-in.
const (
	sessionUserKey  = "uid"   // the signed-in user's id
	sessionEpochKey = "epoch" // users.session_epoch at sign-in
	sessionSeenKey  = "seen"  // unix seconds of the last request, for the idle timeout
	// sessionSignedInKey is unix microseconds of the sign-in with a
	// password (SessionSignedInAt).
	sessionSignedInKey = "signedIn"
)

// seenEvery is how often a session's last-seen time is rewritten: the
// idle timeout is exact to within this, and an active session costs one
// write per interval rather than one per request.
const seenEvery = time.Minute

func (d *Door) newSessionManager(st *store.Store) *scs.SessionManager {
	sm := scs.New()
	sm.Store = &sessionStore{st: st, codec: sm.Codec, now: d.cfg.Now}
	sm.HashTokenInStore = true // a leaked sessions table holds no usable cookie
	// The idle timeout is enforced by sessionUser (with a write at most once
	// a minute), not by scs, which would rewrite the session on every
	// request.
	sm.IdleTimeout = 0
	sm.Lifetime = d.cfg.Lifetime
	sm.Cookie.Name = SessionCookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = d.cfg.Secure
	sm.Cookie.Path = "/"
	sm.ErrorFunc = d.WriteError
	return sm
}

// StartSession signs the request's session in to u: a new session token
// (so a token planted before sign-in is worthless) carrying the user's id
// and session epoch. The cookie is written with the response.
func (d *Door) StartSession(r *http.Request, u accounts.User) error {
	sm := d.sessions
	if sm == nil {
		return errors.New("frontdoor: sessions need the accounts service")
	}
	ctx := r.Context()
	if err := sm.RenewToken(ctx); err != nil {
		return err
	}
	sm.Put(ctx, sessionUserKey, u.ID)
	sm.Put(ctx, sessionEpochKey, u.SessionEpoch)
	now := d.cfg.Now()
	sm.Put(ctx, sessionSeenKey, now.Unix())
	sm.Put(ctx, sessionSignedInKey, now.UnixMicro())
	return nil
}

// SessionSignedInAt is when the request's session was signed in (with a
// password, by StartSession), for actions that want a recent sign-in such
// as deleting the account. It is the zero time when the request was not
// authenticated by its session cookie: a bearer token (even one sent along
// with a cookie), no user, or a session from before this was recorded.
func (d *Door) SessionSignedInAt(r *http.Request) time.Time {
	id, _ := r.Context().Value(identityKey).(identity)
	if !id.viaSession || d.sessions == nil {
		return time.Time{}
	}
	n := d.sessions.GetInt64(r.Context(), sessionSignedInKey)
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// EndSession destroys the request's session (its row and its cookie); a
// request without a session is left as it is.
func (d *Door) EndSession(r *http.Request) error {
	if d.sessions == nil {
		return nil
	}
	userID := d.sessions.GetString(r.Context(), sessionUserKey)
	if err := d.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	if userID != "" {
		d.accounts.Revoked(r.Context(), userID) // its open event streams end
	}
	return nil
}

// sessionUser returns the user of the request's session, enforcing the
// idle timeout and revocation (the session epoch), and refreshing the
// last-seen time at most once a minute.
func (d *Door) sessionUser(r *http.Request) (string, error) {
	sm := d.sessions
	ctx := r.Context()
	userID := sm.GetString(ctx, sessionUserKey)
	if userID == "" {
		return "", nil
	}
	now := d.cfg.Now()
	seen := time.Unix(sm.GetInt64(ctx, sessionSeenKey), 0)
	if now.Sub(seen) > d.cfg.IdleTimeout {
		return "", d.destroySession(r)
	}
	err := d.accounts.AuthenticateSession(ctx, userID, sm.GetInt64(ctx, sessionEpochKey))
	if errors.Is(err, accounts.ErrUnauthenticated) {
		return "", d.destroySession(r)
	}
	if err != nil {
		return "", err
	}
	if now.Sub(seen) >= seenEvery {
		sm.Put(ctx, sessionSeenKey, now.Unix())
	}
	return userID, nil
}

func (d *Door) destroySession(r *http.Request) error {
	if err := d.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	return accounts.ErrUnauthenticated
}

// sessionStore is an scs.CtxStore over the sessions table of either
// engine. It reads the signed-in user's id out of the session data on
// commit, so each row records its user and revocation can delete them all.
type sessionStore struct {
	st    *store.Store
	codec scs.Codec
	now   func() time.Time
}

var _ scs.CtxStore = (*sessionStore)(nil)

// FindCtx implements scs.CtxStore; expiry is judged by the Door's clock.
func (ss *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return ss.st.FindSession(ctx, token, ss.now())
}

// CommitCtx implements scs.CtxStore.
func (ss *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var userID string
	if _, values, err := ss.codec.Decode(b); err == nil {
		userID, _ = values[sessionUserKey].(string)
	}
	return ss.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.CommitSession(ctx, token, userID, b, expiry)
	})
}

// DeleteCtx implements scs.CtxStore.
func (ss *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return ss.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.DeleteSession(ctx, token)
	})
}

// Find implements scs.Store.
func (ss *sessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (ss *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (ss *sessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}
