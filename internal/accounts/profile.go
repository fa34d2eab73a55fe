package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// ProfilePatch changes the fields it names.
type ProfilePatch struct {
	Name        *string
	Preferences *PreferencesPatch
}

// UpdateProfile applies p to the user.
func (s *Service) UpdateProfile(ctx context.Context, userID string, p ProfilePatch) (User, error) {
	return s.updateProfile(ctx, userID, p, false)
}

// CompleteOnboarding stores the wizard's preferences and marks onboarding
// complete.
func (s *Service) CompleteOnboarding(ctx context.Context, userID string, prefs *PreferencesPatch) (User, error) {
	if prefs == nil {
		return User{}, validate.Field("preferences", "is required")
	}
	return s.updateProfile(ctx, userID, ProfilePatch{Preferences: prefs}, true)
}

func (s *Service) updateProfile(ctx context.Context, userID string, p ProfilePatch, completeOnboarding bool) (User, error) {
	err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		row, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		errs := validate.Errors{}
		name := row.Name
		if p.Name != nil {
			name = checkName(*p.Name, errs)
		}
		prefs := p.Preferences.apply(decodePreferences(row.Preferences), "preferences.", errs)
		if err := errs.Err(); err != nil {
			return err
		}
		return tx.UpdateUserProfile(ctx, userID, name, mustJSON(prefs), row.OnboardingCompleted || completeOnboarding, s.now().UTC())
	})
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, userID)
}

// RecentSignIn is how long after signing in (with a password, in this
// browser session) a user may delete their account without typing the
// password again.
const RecentSignIn = 5 * time.Minute

// AccountDeletion is what proves that the signed-in user means to delete
// their account: their password, or a session that signed in within
// RecentSignIn (SessionSignedInAt; zero when the request did not come
// with a session, e.g. with a personal access token).
type AccountDeletion struct {
	Password          string
	SessionSignedInAt time.Time
}

// DeleteAccount deletes the user and everything they own, after checking
// the proof (users without a password, from Clerk, are already
// authenticated by Clerk). Wrong passwords count against the sign-in
// limits of the account.
func (s *Service) DeleteAccount(ctx context.Context, userID string, proof AccountDeletion) error {
	row, err := s.st.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	recent := !proof.SessionSignedInAt.IsZero() && s.now().Sub(proof.SessionSignedInAt) <= RecentSignIn
	if row.PasswordHash != "" && (proof.Password != "" || !recent) {
		if proof.Password == "" {
			return validate.Field("password", fmt.Sprintf("is required unless you signed in within the last %d minutes; sign in again or send your password", int(RecentSignIn/time.Minute)))
		}
		if len(proof.Password) > MaxPasswordLen {
			return validate.Field("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordLen))
		}
		guesses := []limit{{"signin:acct:" + row.EmailNormalized, s.limits.SignInPerAccount}, {"delete:user:" + userID, s.limits.SignInPerAccountIP}}
		if err := s.takeAll(guesses); err != nil {
			return err
		}
		ok, err := s.verifyPassword(proof.Password, row.PasswordHash)
		if err != nil {
			return err
		}
		if !ok {
			return validate.Field("password", "is not correct")
		}
		s.giveBack(guesses)
	}
	return s.revokedIf(ctx, userID, s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteUser(ctx, userID) }))
}

// SignOutEverywhere shuts every client of the user out: every session
// (this one included) and every personal access token, which someone who
// took the account over may have created. Scripts need a new token after.
func (s *Service) SignOutEverywhere(ctx context.Context, userID string) error {
	return s.revokedIf(ctx, userID, s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.RevokeUserSessions(ctx, userID, s.now()); err != nil {
			return err
		}
		_, err := tx.DeleteUserAccessTokens(ctx, userID)
		return err
	}))
}

// SetTier sets the tier of the user with email (an admin command).
func (s *Service) SetTier(ctx context.Context, email, tier string) (User, error) {
	if tier != TierFree && tier != TierPremium {
		return User{}, validate.Field("tier", "must be free or premium")
	}
	u, err := s.st.UserByEmail(ctx, NormalizeEmail(email))
	if err != nil {
		return User{}, err
	}
	if err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.SetUserTier(ctx, u.ID, tier, s.now().UTC()) }); err != nil {
		return User{}, err
	}
	return s.User(ctx, u.ID)
}

// SetFlag sets one feature flag of the user with email (an admin command);
// unknown flag names are a validation error.
func (s *Service) SetFlag(ctx context.Context, email, flag string, on bool) (User, error) {
	if err := (&FeatureFlags{}).Set(flag, on); err != nil {
		return User{}, err
	}
	u, err := s.st.UserByEmail(ctx, NormalizeEmail(email))
	if err != nil {
		return User{}, err
	}
	err = s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		row, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		flags := decodeFlags(row.FeatureFlags)
		if err := flags.Set(flag, on); err != nil {
			return err
		}
		return tx.SetFeatureFlags(ctx, u.ID, mustJSON(flags), s.now().UTC())
	})
	if errors.Is(err, store.ErrNotFound) {
		return User{}, fmt.Errorf("user %s: %w", email, store.ErrNotFound)
	}
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, u.ID)
}
