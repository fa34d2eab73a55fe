package accounts

import "context"

// OnRevoke sets fn to be told, after the change has committed, that one of
// userID's credentials was revoked: a sign-out, sign-out everywhere, a
// password reset, a revoked access token, a deleted account. The event
// stream uses it to end the streams those credentials opened. Set it
// before serving; fn must not block for long.
func (s *Service) OnRevoke(fn func(ctx context.Context, userID string)) { s.onRevoke = fn }

// Revoked tells the OnRevoke function that one of userID's credentials no
// longer holds (frontdoor calls it after destroying a session).
func (s *Service) Revoked(ctx context.Context, userID string) {
	if s == nil || s.onRevoke == nil || userID == "" {
		return
	}
	s.onRevoke(context.WithoutCancel(ctx), userID)
}

// revokedIf calls Revoked when err is nil, and returns err.
func (s *Service) revokedIf(ctx context.Context, userID string, err error) error {
	if err == nil {
		s.Revoked(ctx, userID)
	}
	return err
}
