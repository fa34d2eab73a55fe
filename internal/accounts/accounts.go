// Package accounts is Resonant's built-in accounts: users, passwords
// (argon2id), email verification and password reset tokens, sessions,
// personal access tokens, onboarding preferences, tiers and feature flags.
// It knows nothing about HTTP; the api package turns its errors into
// responses.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	imail "github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// Errors the api package maps to responses.
var (
	// ErrInvalidCredentials is the one answer for an unknown email and a
	// wrong password alike.
	ErrInvalidCredentials = errors.New("email or password is not correct")
	// ErrEmailNotVerified is returned by SignIn with the right password
	// before the email is verified.
	ErrEmailNotVerified = errors.New("verify your email address before signing in")
	// ErrUnauthenticated means a session or token no longer identifies a user.
	ErrUnauthenticated = errors.New("not signed in")
)

// RateLimitedError is returned when too many attempts were made.
type RateLimitedError struct{ Wait time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many attempts; retry in %s", e.Wait.Round(time.Second))
}

// Limits are the attempt budgets per client IP and per account (email).
//
// Wrong passwords are limited per account and client address
// (SignInPerAccountIP), so that a stranger who knows an email address
// cannot lock its owner out by failing from other addresses, and per
// account under a separate, higher ceiling (SignInPerAccount) that bounds
// guessing spread over many addresses. Correct passwords do not use up
// either budget; every attempt uses up SignInPerIP.
type Limits struct {
	SignInPerIP, SignInPerAccountIP, SignInPerAccount Rate
	SignUpPerIP                                       Rate
	ForgotPerIP, ForgotPerAccount                     Rate
	VerifyPerIP, VerifyPerAccount                     Rate
}

// DefaultLimits slow guessing down without bothering people who mistype.
var DefaultLimits = Limits{
	SignInPerIP:        Rate{N: 30, Per: 15 * time.Minute},
	SignInPerAccountIP: Rate{N: 10, Per: 15 * time.Minute},
	SignInPerAccount:   Rate{N: 100, Per: 15 * time.Minute},
	SignUpPerIP:        Rate{N: 10, Per: time.Hour},
	ForgotPerIP:        Rate{N: 10, Per: time.Hour},
	ForgotPerAccount:   Rate{N: 3, Per: time.Hour},
	VerifyPerIP:        Rate{N: 30, Per: 15 * time.Minute},
	VerifyPerAccount:   Rate{N: 3, Per: time.Hour},
}

// Config holds the service's dependencies and settings.
type Config struct {
	Store  *store.Store
	Mailer imail.Mailer
	// BaseURL is the public URL emailed links start with (no trailing slash).
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Password is the argon2id cost; zero means DefaultPasswordParams.
	Password PasswordParams
	// Limits are the rate limits; the zero value means DefaultLimits.
	Limits Limits
	// VerifyTokenTTL and ResetTokenTTL bound how long emailed links work;
	// zero means 48 hours and 1 hour.
	VerifyTokenTTL, ResetTokenTTL time.Duration
	// MaxAccessTokens bounds a user's personal access tokens; zero means 50.
	MaxAccessTokens int
}

// Service implements the accounts flows.
type Service struct {
	st      *store.Store
	mailer  imail.Mailer
	baseURL string
	now     func() time.Time
	log     *slog.Logger
	pw      PasswordParams
	limits  Limits
	limiter *limiter
	// dummyHash is verified against for unknown emails so that they cost
	// what a wrong password costs.
	dummyHash           string
	verifyTTL, resetTTL time.Duration
	maxTokens           int
	background          sync.WaitGroup
	activityEvery       time.Duration
	onRevoke            func(ctx context.Context, userID string)
	hashes              *hashGate // every argon2id hash runs through it
	tokens              *tokenCache
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	s := &Service{
		st: cfg.Store, mailer: cfg.Mailer, baseURL: strings.TrimRight(cfg.BaseURL, "/"), now: cfg.Now, log: cfg.Logger,
		pw: cfg.Password, limits: cfg.Limits, verifyTTL: cfg.VerifyTokenTTL, resetTTL: cfg.ResetTokenTTL,
		maxTokens: cfg.MaxAccessTokens, activityEvery: time.Minute, hashes: newDefaultHashGate(),
		tokens: newTokenCache(tokenCacheMax),
	}
	if s.st == nil || s.mailer == nil {
		return nil, errors.New("accounts: Store and Mailer are required")
	}
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	// The databases keep microseconds: times a call answers with are the
	// times a later read answers with.
	s.now = func() time.Time { return clock().UTC().Truncate(time.Microsecond) }
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.pw == (PasswordParams{}) {
		s.pw = DefaultPasswordParams
	}
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits
	}
	if s.verifyTTL == 0 {
		s.verifyTTL = 48 * time.Hour
	}
	if s.resetTTL == 0 {
		s.resetTTL = time.Hour
	}
	if s.maxTokens == 0 {
		s.maxTokens = 50
	}
	s.limiter = newLimiter(s.now, 100_000)
	var err error
	if s.dummyHash, err = s.hashPassword("resonant-timing-equaliser"); err != nil {
		return nil, err
	}
	return s, nil
}

// Wait blocks until background work (mail sent after a response) is done;
// graceful shutdown and tests call it.
func (s *Service) Wait() { s.background.Wait() }

// User is a user as clients see it.
type User struct {
	ID                  string       `json:"id"`
	Email               string       `json:"email"`
	Name                string       `json:"name"`
	Tier                string       `json:"tier"`
	OnboardingCompleted bool         `json:"onboardingCompleted"`
	Preferences         Preferences  `json:"preferences"`
	FeatureFlags        FeatureFlags `json:"featureFlags"`
	EmailVerified       bool         `json:"emailVerified"`
	CreatedAt           time.Time    `json:"createdAt"`
	// SessionEpoch is recorded in a session at sign-in; a session whose
	// epoch is behind the user's was revoked.
	SessionEpoch int64 `json:"-"`
}

func toUser(u store.User) User {
	return User{
		ID: u.ID, Email: u.Email, Name: u.Name, Tier: u.Tier, OnboardingCompleted: u.OnboardingCompleted,
		Preferences: decodePreferences(u.Preferences), FeatureFlags: decodeFlags(u.FeatureFlags),
		EmailVerified: !u.EmailVerifiedAt.IsZero(), CreatedAt: u.CreatedAt.UTC(), SessionEpoch: u.SessionEpoch,
	}
}

// Input limits.
const (
	MaxEmailLen    = 254
	MaxNameLen     = 100
	MinPasswordLen = 10
	MaxPasswordLen = 1024
)

// NormalizeEmail is the form emails are compared in: trimmed, lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func checkEmail(email string, errs validate.Errors) string {
	email = strings.TrimSpace(email)
	switch {
	case email == "":
		errs.Add("email", "is required")
	case len(email) > MaxEmailLen:
		errs.Add("email", fmt.Sprintf("must be at most %d characters", MaxEmailLen))
	default:
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
			errs.Add("email", "must be an email address like name@example.com")
		}
	}
	return email
}

func checkName(name string, errs validate.Errors) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		errs.Add("name", "is required")
	case !utf8.ValidString(name) || strings.ContainsAny(name, "\r\n\x00"):
		errs.Add("name", "must be one line of text")
	case utf8.RuneCountInString(name) > MaxNameLen:
		errs.Add("name", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	}
	return name
}

func checkPassword(field, pw string, errs validate.Errors) {
	switch {
	case len(pw) > MaxPasswordLen:
		errs.Add(field, fmt.Sprintf("must be at most %d bytes", MaxPasswordLen))
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		errs.Add(field, fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	}
}

func (s *Service) rateLimit(key string, r Rate) error {
	if ok, wait := s.limiter.allow(key, r); !ok {
		return &RateLimitedError{Wait: wait}
	}
	return nil
}

// limit is one attempt budget: a key under a rate.
type limit struct {
	key  string
	rate Rate
}

// takeAll takes an attempt from every budget, or from none: when one is
// spent the others taken so far are given back.
func (s *Service) takeAll(ls []limit) error {
	for i, l := range ls {
		if err := s.rateLimit(l.key, l.rate); err != nil {
			s.giveBack(ls[:i])
			return err
		}
	}
	return nil
}

// giveBack returns an attempt to every budget, for attempts that do not
// count (the right password).
func (s *Service) giveBack(ls []limit) {
	for _, l := range ls {
		s.limiter.refund(l.key, l.rate)
	}
}

// link builds an emailed link to path with the token as its query.
func (s *Service) link(path, token string) string { return s.baseURL + path + "?token=" + token }

// NewUser describes a user to create.
type NewUser struct {
	Email         string
	Name          string
	PasswordHash  string // "" for users without a password (Clerk)
	ClerkID       string
	EmailVerified bool
}

// CreateUser creates a user with default preferences and feature flags and
// tier free, in one transaction. It is idempotent: when a user with the
// same Clerk id or email exists (also one created concurrently) that user is
// returned with created false and nothing is written.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (u User, created bool, err error) {
	var row store.User
	err = s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		row, err = s.insertUser(ctx, tx, nu)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		existing, ferr := s.existingUser(ctx, nu)
		if ferr != nil {
			return User{}, false, ferr
		}
		return toUser(existing), false, nil
	}
	if err != nil {
		return User{}, false, fmt.Errorf("create user: %w", err)
	}
	return toUser(row), true, nil
}

// existingUser finds the user a conflicting insert collided with. A Clerk
// identity is matched by its Clerk id only: when the collision was on the
// email of another account, that account is not handed back (accounts are
// never merged), and the caller gets ErrConflict.
func (s *Service) existingUser(ctx context.Context, nu NewUser) (store.User, error) {
	if nu.ClerkID != "" {
		u, err := s.st.UserByClerkID(ctx, nu.ClerkID)
		if errors.Is(err, store.ErrNotFound) {
			return store.User{}, fmt.Errorf("email %s belongs to another account: %w", NormalizeEmail(nu.Email), store.ErrConflict)
		}
		return u, err
	}
	return s.st.UserByEmail(ctx, NormalizeEmail(nu.Email))
}

func (s *Service) insertUser(ctx context.Context, tx *store.Tx, nu NewUser) (store.User, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return store.User{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond) // what the database keeps
	row := store.User{
		ID: id.String(), Email: strings.TrimSpace(nu.Email), EmailNormalized: NormalizeEmail(nu.Email), ClerkID: nu.ClerkID,
		Name: strings.TrimSpace(nu.Name), PasswordHash: nu.PasswordHash, Tier: TierFree,
		Preferences: mustJSON(DefaultPreferences()), FeatureFlags: mustJSON(DefaultFeatureFlags()),
		CreatedAt: now, UpdatedAt: now,
	}
	if nu.EmailVerified {
		row.EmailVerifiedAt = now
	}
	if err := tx.InsertUser(ctx, row); err != nil {
		return store.User{}, err
	}
	return row, nil
}

// User returns the user with id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	u, err := s.st.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	return toUser(u), nil
}

// UserByEmail returns the user with email (compared case-insensitively).
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := s.st.UserByEmail(ctx, NormalizeEmail(email))
	if err != nil {
		return User{}, err
	}
	return toUser(u), nil
}
