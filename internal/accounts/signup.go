package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	imail "github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// SignUpInput is a sign-up request; IP is the client's address for rate
// limiting.
type SignUpInput struct {
	Email, Password, Name string
	IP                    string
}

// SignUp validates the input, creates the user (with a verification token,
// in the same transaction) and emails the verification link. A taken email
// is store.ErrConflict.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (User, error) {
	errs := validate.Errors{}
	email := checkEmail(in.Email, errs)
	name := checkName(in.Name, errs)
	checkPassword("password", in.Password, errs)
	if err := errs.Err(); err != nil {
		return User{}, err
	}
	if err := s.rateLimit("signup:ip:"+in.IP, s.limits.SignUpPerIP); err != nil {
		return User{}, err
	}
	// Hashing before the transaction keeps the single SQLite writer free
	// during the expensive part.
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var row store.User
	var token string
	err = s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if row, err = s.insertUser(ctx, tx, NewUser{Email: email, Name: name, PasswordHash: hash}); err != nil {
			return err
		}
		token, err = s.issueEmailToken(ctx, tx, row.ID, store.PurposeVerifyEmail, s.verifyTTL)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return User{}, &store.ConflictError{Message: "an account with this email already exists; sign in, or reset your password if you have forgotten it"}
	}
	if err != nil {
		return User{}, fmt.Errorf("sign up: %w", err)
	}
	// The account exists whether or not the mail goes out; a failed send is
	// logged and the user can ask for the link again.
	if err := s.mailer.Send(ctx, verifyMessage(row.Email, row.Name, s.link("/verify", token))); err != nil {
		s.log.ErrorContext(ctx, "send verification email", slog.String("user_id", row.ID), slog.Any("err", err))
	}
	return toUser(row), nil
}

// issueEmailToken retires the user's earlier tokens for purpose and stores
// a new one, returning the raw token for the link.
func (s *Service) issueEmailToken(ctx context.Context, tx *store.Tx, userID, purpose string, ttl time.Duration) (string, error) {
	now := s.now().UTC()
	if err := tx.RetireEmailTokens(ctx, userID, purpose, now); err != nil {
		return "", err
	}
	raw, hash, err := newToken()
	if err != nil {
		return "", err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	err = tx.InsertEmailToken(ctx, store.EmailToken{
		ID: id.String(), UserID: userID, Purpose: purpose, TokenHash: hash,
		ExpiresAt: now.Add(ttl), CreatedAt: now,
	})
	return raw, err
}

// VerifyEmail consumes a verification token and marks the email verified.
// Unknown, used and expired tokens are a validation error on "token".
func (s *Service) VerifyEmail(ctx context.Context, token, ip string) (User, error) {
	if err := s.rateLimit("verify:ip:"+ip, s.limits.VerifyPerIP); err != nil {
		return User{}, err
	}
	hash, ok := hashToken(token)
	if !ok {
		return User{}, errInvalidToken
	}
	var userID string
	err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		et, err := tx.ConsumeEmailToken(ctx, store.PurposeVerifyEmail, hash, s.now().UTC())
		if err != nil {
			return err
		}
		userID = et.UserID
		return tx.MarkEmailVerified(ctx, et.UserID, s.now().UTC())
	})
	if errors.Is(err, store.ErrNotFound) {
		return User{}, errInvalidToken
	}
	if err != nil {
		return User{}, fmt.Errorf("verify email: %w", err)
	}
	return s.User(ctx, userID)
}

var errInvalidToken = validate.Field("token", "is not valid: it may have been used already or have expired")

// ResendVerification emails a new verification link to an unverified
// account. It answers the same for unknown and verified emails, and does
// the work after returning so the timing does not tell either.
func (s *Service) ResendVerification(ctx context.Context, email, ip string) error {
	errs := validate.Errors{}
	checkEmail(email, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.rateLimit("verify:ip:"+ip, s.limits.VerifyPerIP); err != nil {
		return err
	}
	if err := s.rateLimit("verify:acct:"+NormalizeEmail(email), s.limits.VerifyPerAccount); err != nil {
		return err
	}
	s.inBackground(ctx, "resend verification", func(ctx context.Context) error {
		u, err := s.st.UserByEmail(ctx, NormalizeEmail(email))
		if errors.Is(err, store.ErrNotFound) || (err == nil && !u.EmailVerifiedAt.IsZero()) {
			return nil
		}
		if err != nil {
			return err
		}
		var token string
		if err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			token, err = s.issueEmailToken(ctx, tx, u.ID, store.PurposeVerifyEmail, s.verifyTTL)
			return err
		}); err != nil {
			return err
		}
		return s.mailer.Send(ctx, verifyMessage(u.Email, u.Name, s.link("/verify", token)))
	})
	return nil
}

// backgroundTimeout bounds work done after a response (sending a mail).
const backgroundTimeout = time.Minute

// inBackground runs fn after the request, detached from its cancellation
// but bounded in time; Wait waits for it.
func (s *Service) inBackground(ctx context.Context, what string, fn func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	s.background.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, backgroundTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			s.log.ErrorContext(ctx, what, slog.Any("err", err))
		}
	})
}

func verifyMessage(to, name, link string) imail.Message {
	return imail.Message{To: to, Subject: "Confirm your email for Resonant", Text: "Hello " + name + ",\n\n" +
		"Please confirm your email address by opening this link:\n\n" + link + "\n\n" +
		"If you did not create a Resonant account, you can ignore this message.\n"}
}

func resetMessage(to, name, link string) imail.Message {
	return imail.Message{To: to, Subject: "Reset your Resonant password", Text: "Hello " + name + ",\n\n" +
		"Someone (hopefully you) asked to reset your Resonant password. Open this link to choose a new one:\n\n" + link + "\n\n" +
		"The link works once and expires in an hour. If you did not ask, ignore this message; your password is unchanged.\n"}
}
