package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

func TestUserSetTierAndSetFlag(t *testing.T) {
	t.Setenv("RESONANT_DATABASE_URL", "")
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx, queue.MigrateStep(st)); err != nil {
		t.Fatal(err)
	}
	svc, err := accounts.New(accounts.Config{Store: st, Mailer: &mail.FileOutbox{Dir: t.TempDir(), From: "r@example.com"}, BaseURL: "http://x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "Ann@example.com", Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	st.Close() // the command opens the data directory itself

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"user", "set-tier", "ann@example.com", "premium", "--data-dir", dir}, nil, &out, &errOut); err != nil {
		t.Fatalf("set-tier: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "tier premium") {
		t.Errorf("set-tier printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"user", "set-flag", "ann@example.com", "betaFeatures", "true", "--data-dir", dir}, nil, &out, &errOut); err != nil {
		t.Fatalf("set-flag: %v", err)
	}
	if !strings.Contains(out.String(), "BetaFeatures:true") {
		t.Errorf("set-flag printed %q", out.String())
	}
	for _, args := range [][]string{
		{"user", "set-flag", "ann@example.com", "telepathy", "true", "--data-dir", dir},
		{"user", "set-tier", "ann@example.com", "gold", "--data-dir", dir},
		{"user", "set-tier", "nobody@example.com", "free", "--data-dir", dir},
		{"user", "set-flag", "ann@example.com", "betaFeatures", "maybe", "--data-dir", dir},
	} {
		if err := run(ctx, args, nil, &out, &errOut); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	if err := run(ctx, []string{"user", "set-tier", "ann@example.com"}, nil, &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("missing argument = %v, want a usage error", err)
	}
}
