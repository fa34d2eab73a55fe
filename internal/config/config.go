// Package config reads Resonant's configuration from flags, each with a
// RESONANT_* environment equivalent (flag --data-dir ↔ RESONANT_DATA_DIR).
// A flag given on the command line wins over the environment, which wins
// over the default. Every default works on a laptop with no configuration.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is the whole configuration of one resonant process.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
	BaseURL         string
	MetricsAddr     string
	LogFormat       string
	LogLevel        string
	ShutdownTimeout time.Duration

	GeminiAPIKey     string
	GeminiAPIKeyFile string
	GeminiBaseURL    string
	GeminiModel      string

	OpenAIBaseURL string
	OpenAIAPIKey  string
	OpenAIModel   string

	SMTPURL  string
	MailFrom string

	// Clerk mode: on when ClerkJWTPublicKey and ClerkIssuer are set.
	ClerkJWTPublicKey      string
	ClerkJWTPublicKeyFile  string
	ClerkIssuer            string
	ClerkAuthorizedParties string
	ClerkWebhookSecret     string
	ClerkWebhookSecretFile string

	AnalysisTimeout time.Duration

	// TrustedProxies lists the reverse proxies (IPs or CIDRs) whose
	// X-Forwarded-For is believed; parsed into TrustedProxyPrefixes.
	TrustedProxies       string
	TrustedProxyPrefixes []netip.Prefix
}

// DefaultGeminiModel is a current Flash model.
const DefaultGeminiModel = "gemini-2.5-flash"

// EnvName returns the environment variable for a flag name.
func EnvName(flagName string) string {
	return "RESONANT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Bind registers every flag on fs, pointing into c with the defaults set.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.DataDir, "data-dir", "./data", "directory for the SQLite database, mail outbox, keys and backups")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "postgres://… to run on PostgreSQL; empty = embedded SQLite in the data dir")
	fs.StringVar(&c.BaseURL, "base-url", "", "public URL used in emailed links (default http://<addr>)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "separate address for /metrics; empty = on the main address")
	fs.StringVar(&c.LogFormat, "log-format", "auto", "log format: auto (text on a terminal, JSON otherwise), text or json")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "how long graceful shutdown waits for requests and jobs")
	fs.StringVar(&c.GeminiAPIKey, "gemini-api-key", "", "Google Gemini API key; empty = no Gemini")
	fs.StringVar(&c.GeminiAPIKeyFile, "gemini-api-key-file", "", "file holding the Gemini API key")
	fs.StringVar(&c.GeminiBaseURL, "gemini-base-url", "", "Gemini API base URL (default: the provider's)")
	fs.StringVar(&c.GeminiModel, "gemini-model", DefaultGeminiModel, "Gemini model")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", "", "OpenAI-compatible API base URL (e.g. a local Ollama); empty = off")
	fs.StringVar(&c.OpenAIAPIKey, "openai-api-key", "", "OpenAI-compatible API key")
	fs.StringVar(&c.OpenAIModel, "openai-model", "", "OpenAI-compatible model name")
	fs.DurationVar(&c.AnalysisTimeout, "analysis-timeout", 20*time.Second, "timeout of one call to the AI provider")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "smtp://user:pass@host:587 to send mail; empty = write .eml files to <data-dir>/outbox")
	fs.StringVar(&c.ClerkJWTPublicKey, "clerk-jwt-public-key", "", "Clerk mode: the instance's PEM public key for session JWTs; empty = built-in accounts only")
	fs.StringVar(&c.ClerkJWTPublicKeyFile, "clerk-jwt-public-key-file", "", "file holding the Clerk PEM public key")
	fs.StringVar(&c.ClerkIssuer, "clerk-issuer", "", "Clerk mode: the exact issuer of session JWTs, the Frontend API URL (https://clerk.example.com)")
	fs.StringVar(&c.ClerkAuthorizedParties, "clerk-authorized-parties", "", "comma-separated origins a Clerk JWT's azp may name; empty = any")
	fs.StringVar(&c.ClerkWebhookSecret, "clerk-webhook-secret", "", "Clerk webhook signing secret (whsec_…); empty = POST /api/v1/webhooks/clerk off")
	fs.StringVar(&c.ClerkWebhookSecretFile, "clerk-webhook-secret-file", "", "file holding the Clerk webhook signing secret")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed (e.g. 127.0.0.1,10.0.0.0/8); empty = none")
	fs.StringVar(&c.MailFrom, "mail-from", "", "sender of outgoing mail, e.g. 'Resonant <resonant@example.com>' (default resonant@<base-url host>, or resonant@localhost when that host is an IP address or has no dot)")
}

// Parse reads args (without the program and subcommand names) and the
// environment into a Config. Errors name the offending flag or variable.
func Parse(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package would print the whole usage on any error; we want
	// one clear line, and the usage only when asked for with -h.
	fs.SetOutput(io.Discard)
	c.Bind(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "Usage of resonant %s (each flag also reads its RESONANT_* variable):\n", name)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, fmt.Errorf("%w (see 'resonant %s -h')", err, name)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := ApplyEnv(fs, getenv); err != nil {
		return nil, err
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// ApplyEnv sets every flag not given on the command line from its
// RESONANT_* variable, when that is set.
func ApplyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		v := getenv(EnvName(f.Name))
		if v == "" {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.Name), err))
		}
	})
	return errors.Join(errs...)
}

func (c *Config) finish() error {
	switch c.LogFormat {
	case "auto", "text", "json":
	default:
		return fmt.Errorf("--log-format must be auto, text or json, not %q", c.LogFormat)
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.AnalysisTimeout <= 0 {
		return fmt.Errorf("--analysis-timeout must be positive")
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("--shutdown-timeout must be positive")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("--database-url must start with postgres:// or postgresql:// (leave it empty for embedded SQLite)")
	}
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("--trusted-proxies: %q is neither an IP address nor a CIDR", p)
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		c.TrustedProxyPrefixes = append(c.TrustedProxyPrefixes, prefix.Masked())
	}
	if err := c.readSecretFiles(); err != nil {
		return err
	}
	if err := c.finishClerk(); err != nil {
		return err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.MailFrom == "" {
		c.MailFrom = DefaultMailFrom(c.BaseURL)
	}
	return nil
}

// DefaultMailFrom is the sender used when --mail-from is not set:
// resonant@ the base URL's host when that host can be a mail domain, and
// resonant@localhost when it cannot (an IP address, or a name without a
// dot such as the default 127.0.0.1 or localhost).
func DefaultMailFrom(baseURL string) string {
	host := ""
	if u, err := url.Parse(baseURL); err == nil {
		host = u.Hostname()
	}
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		host = "localhost"
	}
	return "Resonant <resonant@" + host + ">"
}

// readSecretFiles fills each secret given only as a file (--…-file), so
// secrets can stay out of the process list and shell history. A value given
// directly wins over its file.
func (c *Config) readSecretFiles() error {
	for _, f := range []struct {
		value *string
		file  string
		flag  string
	}{
		{&c.GeminiAPIKey, c.GeminiAPIKeyFile, "--gemini-api-key-file"},
		{&c.ClerkJWTPublicKey, c.ClerkJWTPublicKeyFile, "--clerk-jwt-public-key-file"},
		{&c.ClerkWebhookSecret, c.ClerkWebhookSecretFile, "--clerk-webhook-secret-file"},
	} {
		if *f.value == "" && f.file != "" {
			b, err := os.ReadFile(f.file)
			if err != nil {
				return fmt.Errorf("%s: %w", f.flag, err)
			}
			*f.value = strings.TrimSpace(string(b))
		}
	}
	return nil
}

// finishClerk checks that Clerk mode is configured whole or not at all.
func (c *Config) finishClerk() error {
	switch {
	case c.ClerkJWTPublicKey != "" && c.ClerkIssuer == "":
		return errors.New("--clerk-issuer is required with --clerk-jwt-public-key (the Frontend API URL, e.g. https://clerk.example.com)")
	case c.ClerkIssuer != "" && c.ClerkJWTPublicKey == "":
		return errors.New("--clerk-jwt-public-key (or --clerk-jwt-public-key-file) is required with --clerk-issuer")
	case c.ClerkWebhookSecret != "" && !c.ClerkMode():
		return errors.New("--clerk-webhook-secret needs Clerk mode: set --clerk-jwt-public-key and --clerk-issuer too")
	}
	return nil
}

// ClerkMode reports whether Clerk session JWTs are accepted.
func (c *Config) ClerkMode() bool { return c.ClerkJWTPublicKey != "" && c.ClerkIssuer != "" }

// ParseLevel parses a log level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// LogAttrs describes the configuration for the start-up log line, with
// secrets left out: keys are reported only as set or not set, and the
// database URL without its password.
func (c *Config) LogAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("database", c.DatabaseDescription()),
		slog.String("base_url", c.BaseURL),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("trusted_proxies", c.TrustedProxies),
		slog.Bool("gemini", c.GeminiAPIKey != ""),
		slog.String("gemini_model", c.GeminiModel),
		slog.Bool("openai_compatible", c.OpenAIBaseURL != ""),
		slog.Bool("smtp", c.SMTPURL != ""),
		slog.Bool("clerk", c.ClerkMode()),
		slog.Bool("clerk_webhooks", c.ClerkWebhookSecret != ""),
	}
}

// DatabaseDescription names the database without credentials.
func (c *Config) DatabaseDescription() string {
	if c.DatabaseURL == "" {
		return "sqlite"
	}
	return "postgres " + redactURL(c.DatabaseURL)
}
