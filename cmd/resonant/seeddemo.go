package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/demo"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

const seedDemoUsage = `usage: resonant dev seed-demo [flags]

Writes a demo journal for a new user: four relationships (a partner, a
parent, a friend, a colleague) and about four months of entries with varied
text, each analysed by the built-in offline analyzer, with health scores,
trends, insights and conversation starters computed as a server would.
Then sign in with --email and --password to see the dashboard.

It refuses, changing nothing, when a user with that email exists. The
database is the one 'resonant serve' uses (--data-dir, --database-url, or
their RESONANT_* variables); a new SQLite data directory is created and
migrated; it works while the server runs.

Flags:
`

// runSeedDemo implements `resonant dev seed-demo`.
func runSeedDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev seed-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "./data", "directory of the SQLite database (as for serve)")
	databaseURL := fs.String("database-url", "", "postgres://… to write to PostgreSQL instead (as for serve)")
	email := fs.String("email", "demo@example.com", "the demo user's email")
	name := fs.String("name", "Robin", "the demo user's name")
	password := fs.String("password", "demo-journal", "the demo user's password")
	tz := fs.String("timezone", "Europe/London", "the demo user's time zone (IANA name)")
	days := fs.Int("days", 120, "how many days the journal spans, ending now")
	seed := fs.Uint64("seed", 1, "picks the texts and times: the same seed writes the same journal")
	fs.Usage = func() {
		fmt.Fprint(stderr, seedDemoUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *days < 7 || *days > 3*365 {
		return fmt.Errorf("%w: --days must be from 7 to 1095", errUsage)
	}
	// The database flags read the same variables as serve's.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for flagName, v := range map[string]*string{"data-dir": dataDir, "database-url": databaseURL} {
		if env := os.Getenv(config.EnvName(flagName)); env != "" && !given[flagName] {
			*v = env
		}
	}

	// A new SQLite data directory is created and migrated (no server can
	// be using it); an existing database is opened beside a server that
	// may be running, as the user commands do, and must be migrated.
	fresh := false
	if *databaseURL == "" {
		if _, err := os.Stat(filepath.Join(*dataDir, store.SQLiteFile)); errors.Is(err, os.ErrNotExist) {
			fresh = true
		}
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: *databaseURL, DataDir: *dataDir, Shared: !fresh})
	if err != nil {
		return err
	}
	defer st.Close()
	if fresh {
		if _, err := st.Migrate(ctx, queue.MigrateStep(st)); err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
	}
	if current, latest, err := st.SchemaStatus(ctx); err != nil || current != latest {
		return fmt.Errorf("the database is not migrated (run 'resonant migrate' first)")
	}
	// No mail is sent; the outbox only satisfies the service.
	acc, err := accounts.New(accounts.Config{Store: st, Mailer: &mail.FileOutbox{Dir: filepath.Join(*dataDir, "outbox"), From: "resonant@localhost"},
		BaseURL: "http://localhost"})
	if err != nil {
		return err
	}
	started := time.Now()
	res, err := demo.Seed(ctx, demo.Config{Store: st, Accounts: acc, Email: *email, Name: *name, Password: *password,
		Timezone: *tz, End: time.Now(), Days: *days, Seed: *seed})
	if errors.Is(err, demo.ErrUserExists) {
		return fmt.Errorf("dev seed-demo: %s already has an account; nothing was changed (pick another --email)", *email)
	}
	if err != nil {
		return fmt.Errorf("dev seed-demo: %w", err)
	}
	fmt.Fprintf(stdout, "demo journal for %s: %d relationships, %d entries analysed (+%d draft), %d active insights, in %s\n",
		*email, res.Relationships, res.Entries, res.Drafts, res.ActiveInsights, time.Since(started).Round(time.Millisecond))
	fmt.Fprintf(stdout, "sign in as %s with the password %q\n", *email, *password)
	return nil
}
