package accounts

import (
	"context"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/resonant-journal/resonant/internal/store"
)

// Session keys set at sign-in.
const (
	SessionUserKey  = "uid"   // the signed-in user's id
	SessionEpochKey = "epoch" // users.session_epoch at sign-in
	SessionSeenKey  = "seen"  // unix seconds of the last request, for the idle timeout
)

// SessionStore is an scs.CtxStore over the sessions table of either engine.
// It reads the signed-in user's id out of the session data on commit, so
// each row records its user and revocation can delete them all.
type SessionStore struct {
	st    *store.Store
	codec scs.Codec
	now   func() time.Time
}

var _ scs.CtxStore = (*SessionStore)(nil)

// NewSessionStore returns a session store; codec must be the session
// manager's.
func (s *Service) NewSessionStore(codec scs.Codec) *SessionStore {
	return &SessionStore{st: s.st, codec: codec, now: s.now}
}

// FindCtx implements scs.CtxStore; expiry is judged by the service clock.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return ss.st.FindSession(ctx, token, ss.now())
}

// CommitCtx implements scs.CtxStore.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var userID string
	if _, values, err := ss.codec.Decode(b); err == nil {
		userID, _ = values[SessionUserKey].(string)
	}
	return ss.st.InTx(ctx, func(tx *store.Tx) error { return tx.CommitSession(ctx, token, userID, b, expiry) })
}

// DeleteCtx implements scs.CtxStore.
func (ss *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	return ss.st.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, token) })
}

// Find implements scs.Store.
func (ss *SessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (ss *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (ss *SessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}
