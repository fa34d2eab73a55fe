package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// SignInInput is a sign-in request.
type SignInInput struct {
	Email, Password string
	IP              string
}

// SignIn checks the credentials. An unknown email and a wrong password are
// both ErrInvalidCredentials and cost one argon2 verification each, so the
// answer and its timing do not reveal which emails have accounts. The
// right password for an unverified email is ErrEmailNotVerified.
func (s *Service) SignIn(ctx context.Context, in SignInInput) (User, error) {
	errs := validate.Errors{}
	if in.Email == "" {
		errs.Add("email", "is required")
	} else if len(in.Email) > MaxEmailLen {
		errs.Add("email", fmt.Sprintf("must be at most %d characters", MaxEmailLen))
	}
	if in.Password == "" {
		errs.Add("password", "is required")
	} else if len(in.Password) > MaxPasswordLen {
		errs.Add("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordLen))
	}
	if err := errs.Err(); err != nil {
		return User{}, err
	}
	email := NormalizeEmail(in.Email)
	if err := s.rateLimit("signin:ip:"+in.IP, s.limits.SignInPerIP); err != nil {
		return User{}, err
	}
	// The wrong-password budgets: taken now (so that parallel guesses
	// cannot all slip through) and given back when the password is right.
	guesses := []limit{
		{"signin:acct-ip:" + email + "\x00" + in.IP, s.limits.SignInPerAccountIP},
		{"signin:acct:" + email, s.limits.SignInPerAccount},
	}
	if err := s.takeAll(guesses); err != nil {
		return User{}, err
	}
	u, err := s.checkCredentials(ctx, email, in.Password)
	if !errors.Is(err, ErrInvalidCredentials) {
		s.giveBack(guesses)
	}
	return u, err
}

// checkCredentials verifies the password of the account with email.
func (s *Service) checkCredentials(ctx context.Context, email, password string) (User, error) {
	row, err := s.st.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return User{}, err
	}
	if err != nil || row.PasswordHash == "" {
		_, _ = s.verifyPassword(password, s.dummyHash)
		return User{}, ErrInvalidCredentials
	}
	ok, err := s.verifyPassword(password, row.PasswordHash)
	if err != nil {
		return User{}, fmt.Errorf("user %s: %w", row.ID, err)
	}
	if !ok {
		return User{}, ErrInvalidCredentials
	}
	if row.EmailVerifiedAt.IsZero() {
		return User{}, ErrEmailNotVerified
	}
	if needsRehash(row.PasswordHash, s.pw) {
		s.rehash(ctx, row.ID, password)
	}
	return toUser(row), nil
}

// rehash upgrades a hash made with weaker parameters; failure only logs,
// the sign-in itself succeeded. It does not bump the session epoch.
func (s *Service) rehash(ctx context.Context, userID, password string) {
	hash, err := s.hashPassword(password)
	if err == nil {
		err = s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.UpgradePasswordHash(ctx, userID, hash) })
	}
	if err != nil {
		s.log.WarnContext(ctx, "upgrade password hash", slog.String("user_id", userID), slog.Any("err", err))
	}
}

// ForgotPassword emails a reset link when the email has an account. It
// returns after validation and rate limiting and does the rest in the
// background, so known and unknown emails get the same answer in the same
// time (202 either way).
func (s *Service) ForgotPassword(ctx context.Context, email, ip string) error {
	errs := validate.Errors{}
	checkEmail(email, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	norm := NormalizeEmail(email)
	if err := s.rateLimit("forgot:ip:"+ip, s.limits.ForgotPerIP); err != nil {
		return err
	}
	if err := s.rateLimit("forgot:acct:"+norm, s.limits.ForgotPerAccount); err != nil {
		return err
	}
	s.inBackground(ctx, "send password reset", func(ctx context.Context) error {
		u, err := s.st.UserByEmail(ctx, norm)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var token string
		if err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			token, err = s.issueEmailToken(ctx, tx, u.ID, store.PurposeResetPassword, s.resetTTL)
			return err
		}); err != nil {
			return err
		}
		return s.mailer.Send(ctx, resetMessage(u.Email, u.Name, s.link("/reset", token)))
	})
	return nil
}

// ResetPassword consumes a reset token and sets the new password. Every
// session of the user is revoked (rows deleted and the session epoch
// advanced, so a session committed by a request already in flight is
// refused too), and so is every personal access token. Following the emailed link proves the email, so it is
// marked verified.
func (s *Service) ResetPassword(ctx context.Context, token, password, ip string) error {
	errs := validate.Errors{}
	if token == "" {
		errs.Add("token", "is required")
	}
	checkPassword("password", password, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.rateLimit("verify:ip:"+ip, s.limits.VerifyPerIP); err != nil {
		return err
	}
	hash, ok := hashToken(token)
	if !ok {
		return errInvalidToken
	}
	pwHash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	var userID string
	err = s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.now().UTC()
		et, err := tx.ConsumeEmailToken(ctx, store.PurposeResetPassword, hash, now)
		if err != nil {
			return err
		}
		userID = et.UserID
		if err := tx.SetUserPassword(ctx, et.UserID, pwHash, now); err != nil {
			return err
		}
		if err := tx.RetireEmailTokens(ctx, et.UserID, store.PurposeResetPassword, now); err != nil {
			return err
		}
		if err := tx.MarkEmailVerified(ctx, et.UserID, now); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, et.UserID); err != nil {
			return err
		}
		// Someone recovering a taken-over account expects the intruder
		// out: their personal access tokens go too.
		_, err = tx.DeleteUserAccessTokens(ctx, et.UserID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return errInvalidToken
	}
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	s.Revoked(ctx, userID)
	return nil
}
