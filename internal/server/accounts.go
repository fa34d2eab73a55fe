package server

import (
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
)

// newAccounts builds the mailer and the accounts service, and the session
// cookie settings that follow from the public base URL.
func newAccounts(cfg *config.Config, st *store.Store, mailer mail.Mailer, now func() time.Time, log *slog.Logger) (*accounts.Service, frontdoor.SessionConfig, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, frontdoor.SessionConfig{}, fmt.Errorf("--base-url must be an http:// or https:// URL, not %q", cfg.BaseURL)
	}
	acc, err := accounts.New(accounts.Config{Store: st, Mailer: mailer, BaseURL: cfg.BaseURL, Now: now, Logger: log})
	if err != nil {
		return nil, frontdoor.SessionConfig{}, err
	}
	return acc, frontdoor.SessionConfig{
		Secure:         base.Scheme == "https",
		TrustedOrigins: []string{base.Scheme + "://" + base.Host},
		Now:            now,
	}, nil
}

// newMailer builds the outgoing mailer: SMTP when configured, else the
// .eml outbox in the data directory. The sender is --mail-from, which
// config defaults from the base URL.
func newMailer(cfg *config.Config) (mail.Mailer, error) {
	return mail.New(cfg.SMTPURL, filepath.Join(cfg.DataDir, "outbox"), cfg.MailFrom)
}

// newClerk builds Clerk mode when it is configured; nil otherwise.
func newClerk(cfg *config.Config, acc *accounts.Service, now func() time.Time, log *slog.Logger) (*accounts.Clerk, error) {
	if !cfg.ClerkMode() {
		return nil, nil
	}
	var parties []string
	for _, p := range strings.Split(cfg.ClerkAuthorizedParties, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parties = append(parties, p)
		}
	}
	clerk, err := accounts.NewClerk(accounts.ClerkConfig{
		Accounts: acc, PublicKeyPEM: cfg.ClerkJWTPublicKey, Issuer: cfg.ClerkIssuer, AuthorizedParties: parties,
		WebhookSecret: cfg.ClerkWebhookSecret, Now: now, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("clerk mode: %w", err)
	}
	return clerk, nil
}
