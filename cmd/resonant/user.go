package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
)

const userUsage = `Usage:
  resonant user set-tier EMAIL free|premium [flags]
  resonant user set-flag EMAIL FLAG true|false [flags]

FLAG is one of: advancedAnalytics, voiceJournaling, smartReminders,
conversationStarters, relationshipGoals, betaFeatures.
Flags select the database as for 'resonant serve' (--data-dir, --database-url).
These commands work while the server runs.
`

// runUser is the user administration command.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: user needs a subcommand", errUsage)
	}
	sub := args[0]
	var positional int
	switch sub {
	case "set-tier":
		positional = 2
	case "set-flag":
		positional = 3
	case "help", "-h", "--help":
		fmt.Fprint(stdout, userUsage)
		return nil
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: unknown user subcommand %q", errUsage, sub)
	}
	if len(args)-1 < positional {
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: user %s needs %d arguments", errUsage, sub, positional)
	}
	pos, flags := args[1:1+positional], args[1+positional:]
	cfg, err := parseConfig("user "+sub, flags, stderr)
	if err != nil {
		return err
	}
	// A short admin command shares the database with a running server
	// (SQLite's own locking orders the writes); only a second server or
	// migrate is kept out.
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Shared: true})
	if err != nil {
		return err
	}
	defer st.Close()
	if current, latest, err := st.SchemaStatus(ctx); err != nil || current != latest {
		return fmt.Errorf("database %s is not migrated (run 'resonant migrate' first)", cfg.DatabaseDescription())
	}
	// Admin commands send no mail; the outbox only satisfies the service.
	svc, err := accounts.New(accounts.Config{Store: st, Mailer: &mail.FileOutbox{Dir: filepath.Join(cfg.DataDir, "outbox"), From: cfg.MailFrom}, BaseURL: cfg.BaseURL})
	if err != nil {
		return err
	}
	var u accounts.User
	switch sub {
	case "set-tier":
		u, err = svc.SetTier(ctx, pos[0], pos[1])
	case "set-flag":
		on, perr := strconv.ParseBool(pos[2])
		if perr != nil {
			return fmt.Errorf("%w: the flag value must be true or false, not %q", errUsage, pos[2])
		}
		u, err = svc.SetFlag(ctx, pos[0], pos[1], on)
	}
	if err != nil {
		return fmt.Errorf("user %s %s: %w", sub, pos[0], err)
	}
	fmt.Fprintf(stdout, "user %s: tier %s, flags %+v\n", u.Email, u.Tier, u.FeatureFlags)
	return nil
}
