package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/google/uuid"

	"github.com/resonant-journal/resonant/internal/store"
)

// ClerkConfig configures Clerk mode: Clerk session JWTs authenticate API
// requests and Svix-signed Clerk webhooks keep users in step. Everything is
// verified with configured keys; nothing is fetched from Clerk.
type ClerkConfig struct {
	// Accounts creates, updates and deletes the users. Required.
	Accounts *Service
	// PublicKeyPEM is the instance's JWT verification key ("PEM public
	// key" in the Clerk dashboard, API keys → Advanced). Required.
	PublicKeyPEM string
	// Issuer is the exact "iss" of the instance's session tokens, its
	// Frontend API URL (https://clerk.example.com). Required.
	Issuer string
	// AuthorizedParties, when set, are the origins a token's "azp" claim
	// may name; a token without "azp" is accepted, as Clerk's SDK does.
	AuthorizedParties []string
	// WebhookSecret is the endpoint's signing secret ("whsec_…"); empty
	// turns the webhook endpoint off.
	WebhookSecret string
	// Leeway absorbs clock skew on exp/nbf; zero means 5 seconds.
	Leeway time.Duration
	// WebhookTolerance bounds the age (and future skew) of a webhook's
	// timestamp; zero means 5 minutes, Svix's own tolerance.
	WebhookTolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Clerk implements Clerk mode on top of the accounts service.
type Clerk struct {
	acc        *Service
	jwk        *clerk.JSONWebKey
	issuer     string
	parties    map[string]bool
	secret     []byte // decoded webhook signing key; nil = webhooks off
	leeway     time.Duration
	tolerance  time.Duration
	now        func() time.Time
	log        *slog.Logger
	jwtOptions jwtOptions
}

// NewClerk checks the configuration and returns a Clerk.
func NewClerk(cfg ClerkConfig) (*Clerk, error) {
	if cfg.Accounts == nil {
		return nil, errors.New("clerk: Accounts is required")
	}
	if strings.TrimSpace(cfg.Issuer) == "" {
		return nil, errors.New("clerk: the issuer is required")
	}
	jwk, err := clerk.JSONWebKeyFromPEM(strings.TrimSpace(cfg.PublicKeyPEM))
	if err != nil {
		return nil, fmt.Errorf("clerk: JWT public key: %w", err)
	}
	c := &Clerk{
		acc: cfg.Accounts, jwk: jwk, issuer: strings.TrimSpace(cfg.Issuer), leeway: cfg.Leeway,
		tolerance: cfg.WebhookTolerance, now: cfg.Now, log: cfg.Logger,
	}
	if len(cfg.AuthorizedParties) > 0 {
		c.parties = map[string]bool{}
		for _, p := range cfg.AuthorizedParties {
			if p = strings.TrimRight(strings.TrimSpace(p), "/"); p != "" {
				c.parties[p] = true
			}
		}
	}
	if cfg.WebhookSecret != "" {
		if c.secret, err = decodeWebhookSecret(cfg.WebhookSecret); err != nil {
			return nil, fmt.Errorf("clerk: webhook secret: %w", err)
		}
	}
	if c.leeway == 0 {
		c.leeway = 5 * time.Second
	}
	if c.tolerance == 0 {
		c.tolerance = 5 * time.Minute
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.jwtOptions = c.newJWTOptions()
	return c, nil
}

// WebhooksEnabled reports whether a webhook signing secret is configured.
func (c *Clerk) WebhooksEnabled() bool { return c.secret != nil }

// ClerkUser is the part of a Clerk user object Resonant keeps.
type ClerkUser struct {
	ID        string
	FirstName string
	LastName  string
	// Username is the name of last resort, for users without first and last.
	Username string
	// Email is the primary (else first) email address; "" when the user has
	// none (phone-only sign-up).
	Email string
}

// Name is "firstName lastName", as the spec maps it, made one line of at
// most MaxNameLen characters; the username when both are empty.
func (cu ClerkUser) Name() string {
	name := cleanLine(cu.FirstName + " " + cu.LastName)
	if name == "" {
		name = cleanLine(cu.Username)
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		name = strings.TrimSpace(string([]rune(name)[:MaxNameLen]))
	}
	return name
}

// cleanLine drops control characters (PostgreSQL refuses NUL in text) and
// collapses whitespace: a name from Clerk is shown on one line.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// maxClerkIDLen bounds Clerk ids ("user_" and 27 characters today).
const maxClerkIDLen = 128

// validClerkID accepts Clerk's id alphabet only. A placeholder email key
// built from it ("clerk:<id>") can then never equal a real address, which
// always holds an "@".
func validClerkID(id string) bool {
	if id == "" || len(id) > maxClerkIDLen {
		return false
	}
	for _, r := range id {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// clerkEmail returns the address and its comparison key for a Clerk user.
// A user without a usable address gets email "" and the key "clerk:<id>":
// users.email_normalized is NOT NULL UNIQUE, and the key is unique per
// Clerk user and can never collide with a real address.
func clerkEmail(clerkID, email string) (addr, normalized string) {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err == nil && a.Address == email && a.Name == "" && len(email) <= MaxEmailLen {
		return email, NormalizeEmail(email)
	}
	return "", "clerk:" + clerkID
}

// SyncUser makes the local user of a Clerk user match it: created (tier
// free, default preferences and feature flags) when missing, else its name
// and email replaced. It is idempotent and safe against a concurrent
// creation of the same user (the first-request fallback): the loser of the
// insert retries as an update. An email that belongs to another local
// account is store.ErrConflict: accounts are never merged.
func (c *Clerk) SyncUser(ctx context.Context, cu ClerkUser) (User, error) {
	var id string
	err := c.inTxRetry(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		id, err = c.syncUserTx(ctx, tx, cu)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return c.acc.User(ctx, id)
}

// errRaced marks an insert that lost to a concurrent one; the transaction
// is retried once, when the winner's row is visible.
var errRaced = errors.New("clerk user created concurrently")

// inTxRetry runs fn in a transaction, once more when it lost an insert
// race. A second loss means the conflict is not a race but an email that
// belongs to another account.
func (c *Clerk) inTxRetry(ctx context.Context, fn func(ctx context.Context, tx *store.Tx) error) error {
	err := c.acc.st.InTx(ctx, fn)
	if !errors.Is(err, errRaced) {
		return err
	}
	err = c.acc.st.InTx(ctx, fn)
	if errors.Is(err, errRaced) {
		return &store.ConflictError{Message: "the email of this Clerk user belongs to another Resonant account; accounts are never merged"}
	}
	return err
}

func (c *Clerk) syncUserTx(ctx context.Context, tx *store.Tx, cu ClerkUser) (string, error) {
	row, err := tx.UserByClerkID(ctx, cu.ID)
	if errors.Is(err, store.ErrNotFound) {
		return c.createUserTx(ctx, tx, cu)
	}
	if err != nil {
		return "", err
	}
	email, normalized := clerkEmail(cu.ID, cu.Email)
	name := cu.Name()
	if row.Email == email && row.EmailNormalized == normalized && row.Name == name && (email == "" || !row.EmailVerifiedAt.IsZero()) {
		return row.ID, nil // already applied: write nothing
	}
	now := c.acc.now().UTC().Truncate(time.Microsecond)
	var verified time.Time
	if email != "" {
		verified = now // Clerk verified the address before it reached us
	}
	return row.ID, tx.SetUserIdentity(ctx, row.ID, email, normalized, name, verified, now)
}

// createUserTx inserts the local user of a Clerk user with the defaults
// every new user gets. Losing to a concurrent insert of the same Clerk id
// (or meeting the email of another account) is errRaced.
func (c *Clerk) createUserTx(ctx context.Context, tx *store.Tx, cu ClerkUser) (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	email, normalized := clerkEmail(cu.ID, cu.Email)
	now := c.acc.now().UTC().Truncate(time.Microsecond) // what the database keeps
	row := store.User{
		ID: id.String(), Email: email, EmailNormalized: normalized, ClerkID: cu.ID, Name: cu.Name(), Tier: TierFree,
		Preferences: mustJSON(DefaultPreferences()), FeatureFlags: mustJSON(DefaultFeatureFlags()),
		CreatedAt: now, UpdatedAt: now,
	}
	if email != "" {
		row.EmailVerifiedAt = now // Clerk verified the address before it reached us
	}
	if err := tx.InsertUser(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return "", errRaced
		}
		return "", err
	}
	return row.ID, nil
}

// DeleteClerkUser deletes the local user of a Clerk user and everything it
// owns (ON DELETE CASCADE). An unknown Clerk id is not an error: the user
// is gone either way.
func (c *Clerk) DeleteClerkUser(ctx context.Context, clerkID string) error {
	var userID string
	err := c.acc.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		userID, err = c.deleteUserTx(ctx, tx, clerkID)
		return err
	})
	return c.acc.revokedIf(ctx, userID, err)
}

// deleteUserTx deletes the Clerk user's local user and returns its id (""
// when there was none).
func (c *Clerk) deleteUserTx(ctx context.Context, tx *store.Tx, clerkID string) (string, error) {
	row, err := tx.UserByClerkID(ctx, clerkID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if err := tx.DeleteUser(ctx, row.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return row.ID, nil
}

// ensureUser returns the local user of a Clerk user that presented a valid
// session token, creating it when missing (the spec's fallback for a
// webhook that has not arrived or failed). The token may carry the email
// and name (custom session-token claims); without them the user starts
// with no email and an empty name, which the webhook fills in. Creation
// never merges: a claimed email that belongs to another account is left
// out rather than linked.
func (c *Clerk) ensureUser(ctx context.Context, cu ClerkUser) (string, error) {
	if row, err := c.acc.st.UserByClerkID(ctx, cu.ID); err == nil {
		return row.ID, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	attempts := []ClerkUser{cu}
	if cu.Email != "" {
		noEmail := cu
		noEmail.Email = ""
		attempts = append(attempts, noEmail)
	}
	for _, try := range attempts {
		err := c.acc.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			_, err := c.createUserTx(ctx, tx, try)
			return err
		})
		if err != nil && !errors.Is(err, errRaced) {
			return "", err
		}
		// Created here, or by a concurrent request or webhook (which this
		// path never overwrites): either way the row is committed now.
		row, err := c.acc.st.UserByClerkID(ctx, cu.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // the conflict was the claimed email, not the Clerk id
		}
		if err != nil {
			return "", err
		}
		if try.Email == "" && cu.Email != "" {
			c.log.WarnContext(ctx, "clerk user's email belongs to another account; created without it", slog.String("clerk_id", cu.ID))
		}
		return row.ID, nil
	}
	return "", fmt.Errorf("create clerk user %s: %w", cu.ID, store.ErrConflict)
}
