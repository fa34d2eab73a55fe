package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
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

// TestUserCommandsWorkWhileServing runs the real binary: with `serve`
// holding the SQLite data directory, `user set-tier` and `user set-flag`
// succeed and the running server answers with the change, while a second
// `serve` and `migrate` are refused.
func TestUserCommandsWorkWhileServing(t *testing.T) {
	bin := buildBinary(t)
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
	u, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "ann@example.com", Name: "Ann", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.CreateAccessToken(ctx, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	addr := freeAddr(t)
	_, logs := startServe(t, bin, dir, addr)
	waitForLog(t, logs, "listening")
	go func() { // keep the server's stderr pipe drained
		for logs.Scan() {
		}
	}()

	resonant := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "RESONANT_DATABASE_URL=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := resonant("user", "set-tier", "ann@example.com", "premium", "--data-dir", dir); err != nil || !strings.Contains(out, "tier premium") {
		t.Fatalf("set-tier while serving: %v\n%s", err, out)
	}
	if out, err := resonant("user", "set-flag", "ann@example.com", "betaFeatures", "true", "--data-dir", dir); err != nil || !strings.Contains(out, "BetaFeatures:true") {
		t.Fatalf("set-flag while serving: %v\n%s", err, out)
	}
	if out, err := resonant("migrate", "--data-dir", dir); err == nil || !strings.Contains(out, "another resonant process") {
		t.Errorf("migrate while serving = %v\n%s", err, out)
	}
	if out, err := resonant("serve", "--data-dir", dir, "--addr", freeAddr(t)); err == nil || !strings.Contains(out, "another resonant process") {
		t.Errorf("a second serve = %v\n%s", err, out)
	}

	// The running server reads what the admin command wrote.
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var me struct {
		User struct {
			Tier         string          `json:"tier"`
			FeatureFlags map[string]bool `json:"featureFlags"`
		} `json:"user"`
	}
	if err := json.NewDecoder(res.Body).Decode(&me); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /me = %d %v", res.StatusCode, err)
	}
	if me.User.Tier != "premium" || !me.User.FeatureFlags["betaFeatures"] {
		t.Errorf("the server sees tier %q, flags %v", me.User.Tier, me.User.FeatureFlags)
	}
}
