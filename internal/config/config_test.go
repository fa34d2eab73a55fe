package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsWorkWithNoConfiguration(t *testing.T) {
	c, err := Parse("serve", nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("defaults = %+v", c)
	}
	if c.ShutdownTimeout != 20*time.Second || c.GeminiModel != DefaultGeminiModel {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestFlagWinsOverEnvironmentWhichWinsOverDefault(t *testing.T) {
	e := env(map[string]string{"RESONANT_ADDR": "0.0.0.0:9000", "RESONANT_DATA_DIR": "/srv/resonant", "RESONANT_SHUTDOWN_TIMEOUT": "5s"})
	c, err := Parse("serve", []string{"--addr", "127.0.0.1:7000"}, e, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("addr = %q, want the flag's value", c.Addr)
	}
	if c.DataDir != "/srv/resonant" || c.ShutdownTimeout != 5*time.Second {
		t.Errorf("env not applied: %+v", c)
	}
}

func TestBadInputIsOneClearError(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--bogus"}, nil, "bogus"},
		{[]string{"--database-url", "mysql://x"}, nil, "postgres://"},
		{nil, map[string]string{"RESONANT_SHUTDOWN_TIMEOUT": "soon"}, "RESONANT_SHUTDOWN_TIMEOUT"},
		{[]string{"--log-format", "xml"}, nil, "--log-format"},
		{[]string{"--log-level", "loud"}, nil, "--log-level"},
		{[]string{"--gemini-api-key-file", "/nonexistent/key"}, nil, "--gemini-api-key-file"},
		{[]string{"extra"}, nil, "unexpected argument"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, nil, "--trusted-proxies"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.args, tc.env), func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := Parse("serve", tc.args, env(tc.env), &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans several lines: %q", err)
			}
			if stderr.Len() != 0 {
				t.Fatalf("printed usage on a bad flag: %q", stderr.String())
			}
		})
	}
}

func TestHelpPrintsEveryFlagWithItsEnvironmentVariable(t *testing.T) {
	var stderr bytes.Buffer
	_, err := Parse("serve", []string{"-h"}, env(nil), &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-data-dir", "-database-url", "RESONANT_"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help does not mention %q", want)
		}
	}
}

func TestSecretsAreNeverInTheStartupLog(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("file-secret-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse("serve", []string{
		"--database-url", "postgres://app:db-password@db:5432/resonant",
		"--gemini-api-key-file", keyFile,
		"--openai-api-key", "openai-secret",
		"--smtp-url", "smtp://mailer:smtp-password@mail:587",
	}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.GeminiAPIKey != "file-secret-key" {
		t.Fatalf("key file not read (trimmed): %q", c.GeminiAPIKey)
	}
	logged := fmt.Sprint(c.LogAttrs())
	for _, secret := range []string{"db-password", "file-secret-key", "openai-secret", "smtp-password"} {
		if strings.Contains(logged, secret) {
			t.Errorf("start-up log contains %q: %s", secret, logged)
		}
	}
	if !strings.Contains(logged, "db:5432") {
		t.Errorf("database host missing from the log: %s", logged)
	}
}

func TestTrustedProxiesAcceptAddressesAndCIDRs(t *testing.T) {
	c, err := Parse("serve", []string{"--trusted-proxies", " 127.0.0.1, 10.1.2.3/8 ,::1"}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(c.TrustedProxyPrefixes)
	if got != "[127.0.0.1/32 10.0.0.0/8 ::1/128]" {
		t.Fatalf("prefixes = %s", got)
	}
}

// TestMailFromFollowsTheBaseURL: the README says mail comes from
// resonant@<base-url host>; an IP address cannot be a mail domain, so the
// default base URL gives resonant@localhost, as the README now says too.
func TestMailFromFollowsTheBaseURL(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Resonant <resonant@localhost>"},
		{[]string{"--base-url", "https://journal.example.com/"}, "Resonant <resonant@journal.example.com>"},
		{[]string{"--base-url", "http://journal.example.com:8443"}, "Resonant <resonant@journal.example.com>"},
		{[]string{"--base-url", "http://localhost:9000"}, "Resonant <resonant@localhost>"},
		{[]string{"--base-url", "http://[::1]:9000"}, "Resonant <resonant@localhost>"},
		{[]string{"--base-url", "https://journal.example.com", "--mail-from", "Us <us@example.org>"}, "Us <us@example.org>"},
	} {
		c, err := Parse("serve", tc.args, env(nil), &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if c.MailFrom != tc.want {
			t.Errorf("%v: MailFrom = %q, want %q", tc.args, c.MailFrom, tc.want)
		}
	}
}
