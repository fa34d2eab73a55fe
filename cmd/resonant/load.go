package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

const loadUsage = `usage: resonant dev load [flags]

The side-by-side load run of issue 16 (needs wrk). On a fresh database it
measures a fresh server's idle memory and its memory after a burst of
sign-ins, then seeds --entries published entries (the batch import path),
lets the server analyse them, and runs the same wrk scenarios one after
another: publish, draft (create a draft), list (latest 20 of one user) and
get (one entry by id). For each it reports req/s, p50, p99, errors, the
server's RSS, the WAL's largest size during the run and, after the publish
burst, how long the analysis queue took to drain (polled in the database).
It ends with the database's size, storage per entry and where the bytes
are, and prints PocketBase's figures from issue 16 beside ours.

With --database-url (a PostgreSQL server) it creates a fresh database on
that server for the run and drops it afterwards.

Flags:
`

// loadFlags is what one `dev load` run does.
type loadFlags struct {
	entries           int
	duration          time.Duration
	threads, conns    int
	scenarios         []string
	databaseURL       string
	signins           int
	idleSettle        time.Duration
	afterSignins      time.Duration
	drainTimeout      time.Duration
	keep              bool
	wrk               string
	serverArgs        []string
	tableBreakdownTop int
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f loadFlags
	var scenarios, serverArgs string
	fs.IntVar(&f.entries, "entries", 20000, "published entries to seed before the scenarios")
	fs.DurationVar(&f.duration, "duration", 20*time.Second, "length of each wrk scenario")
	fs.IntVar(&f.threads, "threads", 2, "wrk threads")
	fs.IntVar(&f.conns, "connections", 32, "wrk connections")
	fs.StringVar(&scenarios, "scenarios", "publish,draft,list,get", "scenarios to run, in order (publish, draft, list, get); none = only seed, analyse and report storage")
	fs.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL server to run on (a fresh database is created on it and dropped); empty = SQLite in a temporary directory")
	fs.IntVar(&f.signins, "signins", 20, "sign-ins in the memory burst (0 skips the memory phase)")
	fs.DurationVar(&f.idleSettle, "idle-settle", 5*time.Second, "how long the fresh server idles before its RSS is read")
	fs.DurationVar(&f.afterSignins, "after-signins", time.Minute, "how long after the sign-in burst the RSS is read again")
	fs.DurationVar(&f.drainTimeout, "drain-timeout", 5*time.Minute, "longest wait for the analysis queue to drain")
	fs.BoolVar(&f.keep, "keep", false, "keep the data directory (SQLite) or database (PostgreSQL) and print where it is")
	fs.StringVar(&f.wrk, "wrk", "wrk", "the wrk binary")
	fs.StringVar(&serverArgs, "server-args", "", "extra flags for the server, space-separated (e.g. \"--analysis-workers 4\")")
	fs.IntVar(&f.tableBreakdownTop, "top", 12, "tables and indexes to list in the storage breakdown")
	fs.Usage = func() {
		fmt.Fprint(stderr, loadUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if scenarios != "none" {
		f.scenarios = strings.Split(scenarios, ",")
	}
	for _, s := range f.scenarios {
		if _, ok := loadScenarios[s]; !ok {
			return fmt.Errorf("%w: --scenarios: unknown scenario %q (want publish, draft, list, get, or none)", errUsage, s)
		}
	}
	f.serverArgs = strings.Fields(serverArgs)
	switch {
	case f.entries < 1, f.threads < 1, f.conns < f.threads, f.duration <= 0, f.signins < 0:
		return fmt.Errorf("%w: --entries, --threads and --duration must be positive, --connections at least --threads", errUsage)
	case f.databaseURL != "" && !store.IsPostgresURL(f.databaseURL):
		return fmt.Errorf("%w: --database-url must be a postgres:// URL", errUsage)
	}
	if _, err := exec.LookPath(f.wrk); err != nil && len(f.scenarios) > 0 {
		return fmt.Errorf("dev load needs wrk (apt-get install wrk): %w", err)
	}
	return loadRun(ctx, f, stdout, stderr)
}

// pocketBase holds PocketBase v0.39.5's figures from issue 16 (same machine
// class, same wrk client, 20,000 seeded records): the reference each
// scenario is compared with.
var pocketBase = map[string]struct {
	lo, hi float64 // req/s
	note   string
}{
	"publish": {2220, 2640, "create, request log off; p99 50–58 ms"},
	"draft":   {2220, 2640, "create, request log off; p99 50–58 ms"},
	"list":    {795, 1580, "latest 20 of one user"},
	"get":     {3770, 4400, "one record by id"},
}

// loadScenarios are wrk Lua scripts; %[1]s is the token, %[2]s the
// relationship id, %[3]s an entry id. Entries get varied text (so the
// full-text index grows as it would) of about the length of the issue's
// request body.
var loadScenarios = map[string]struct{ path, script string }{
	"publish": {"/api/v1/entries", loadWriteScript("published")},
	"draft":   {"/api/v1/entries", loadWriteScript("draft")},
	"list":    {"/api/v1/entries?limit=20", loadGetScript},
	"get":     {"/api/v1/entries/%[3]s", loadGetScript},
}

// loadWords is the vocabulary of seeded and published entries.
var loadWords = strings.Fields(`we cooked dinner together and talked about the week I felt heard though work stress
crept in again she he they laughed argued walked home after a long day at the office kids were tired weekend plans
visited her parents hospital appointment went well worried about money budget holiday beach trip planned apologised
for snapping late night conversation felt close distant grateful patient angry calm hopeful sad happy lonely supported
listened interrupted shared chores cleaning kitchen garden morning coffee breakfast texted called forgot birthday
surprised gift flowers movie music dancing quiet evening phone scrolling ignored noticed effort thanked hug kiss cried
promised tomorrow yesterday friends party neighbours dog cat walk park rain sun tired energetic sick recovered doctor
medicine school teacher homework project deadline boss colleague meeting commute traffic train car repair rent house
moving packing boxes new city job interview nervous proud celebrated anniversary remembered old photos memories future`)

func loadText(r *rand.Rand, words int) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(loadWords[r.IntN(len(loadWords))])
	}
	b.WriteByte('.')
	return b.String()
}

func loadWriteScript(status string) string {
	var q []string
	for _, w := range loadWords {
		q = append(q, strconv.Quote(w))
	}
	return `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %[1]s"
local words = {` + strings.Join(q, ",") + `}
request = function()
  local t = {}
  for i = 1, 18 do t[i] = words[math.random(#words)] end
  local body = '{"relationshipId":"%[2]s","content":"' .. table.concat(t, " ") .. '.","status":"` + status + `"}'
  return wrk.format(nil, nil, nil, body)
end
` + loadDoneScript
}

const loadGetScript = `wrk.headers["Authorization"] = "Bearer %[1]s"
` + loadDoneScript

// loadDoneScript prints the figures on one line the tool parses
// (latencies in microseconds; non-2xx/3xx answers count as errors).
const loadDoneScript = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESONANT-LOAD %%d %%d %%d %%d %%d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`

type loadResult struct {
	requests, errors int
	elapsed          time.Duration
	p50, p99         time.Duration
}

func (r loadResult) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// loadEnv is one run's database and server.
type loadEnv struct {
	f           loadFlags
	dataDir     string
	databaseURL string // the fresh PostgreSQL database, or ""
	exe         string
	stderr      io.Writer
	api         *http.Client
}

func (e *loadEnv) engine() string {
	if e.databaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

func loadRun(ctx context.Context, f loadFlags, stdout, stderr io.Writer) (err error) {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "resonant-load-")
	if err != nil {
		return err
	}
	e := &loadEnv{f: f, dataDir: filepath.Join(dir, "data"), exe: exe, stderr: stderr,
		api: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}, Timeout: time.Minute}}
	if f.databaseURL != "" {
		fresh, drop, err := loadFreshPostgres(ctx, f.databaseURL)
		if err != nil {
			return err
		}
		e.databaseURL = fresh
		defer func() {
			if f.keep {
				fmt.Fprintf(stdout, "kept database %s\n", fresh)
				return
			}
			err = errors.Join(err, drop())
		}()
	}
	// The servers' logs go to a file (wrk ends with requests in flight,
	// which the server logs as cancelled); kept when the run fails.
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	e.stderr = logFile
	defer func() {
		_ = logFile.Close()
		if f.keep || err != nil {
			fmt.Fprintf(stdout, "kept %s (data directory and server.log)\n", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	var la string
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		la = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Fprintf(stdout, "resonant dev load: %s, %d seeded entries, wrk -t%d -c%d -d%s per scenario; %d CPUs, load average %s at start\n",
		e.engine(), f.entries, f.threads, f.conns, f.duration, runtime.NumCPU(), la)

	// A fresh database with one user who signs in with a password.
	user, err := e.prepare(ctx)
	if err != nil {
		return err
	}
	if f.signins > 0 {
		if err := e.memoryPhase(ctx, stdout, user); err != nil {
			return err
		}
	}

	t0 := time.Now()
	seeded, err := e.seed(ctx, user)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: %d entries imported in %.1f s\n", f.entries, time.Since(t0).Seconds())

	srv, err := startLoadServer(ctx, e.exe, loadConfig{dataDir: e.dataDir, databaseURL: e.databaseURL}, 0, e.stderr, f.serverArgs...)
	if err != nil {
		return err
	}
	defer srv.stop()
	db, err := store.Open(ctx, store.Options{DatabaseURL: e.databaseURL, DataDir: e.dataDir, Shared: true})
	if err != nil {
		return err
	}
	defer db.Close()
	mon := newLoadMonitor(e, srv)
	defer mon.stop()

	t0 = time.Now()
	if left, err := loadDrain(ctx, db, f.drainTimeout); err != nil {
		if ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(stdout, "seed: %d analyses still pending after %s (NOT drained; the scenarios run beside them)\n", left, f.drainTimeout)
	} else {
		fmt.Fprintf(stdout, "seed: the server analysed them in %.1f s (WAL peak %s, RSS peak %s)\n",
			time.Since(t0).Seconds(), mibs(mon.walPeak()), mibs(mon.rssPeak()))
	}
	// The jobs analyses start (score recomputation) would otherwise run
	// during the scenarios.
	t0 = time.Now()
	if n, err := loadWaitJobs(ctx, db, f.drainTimeout); err != nil {
		if ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(stdout, "seed: %d background jobs still waiting after %s; the scenarios run beside them\n", n, f.drainTimeout)
	} else {
		fmt.Fprintf(stdout, "seed: the background jobs they started finished %.1f s later (WAL peak %s)\n", time.Since(t0).Seconds(), mibs(mon.walPeak()))
	}

	if len(f.scenarios) == 0 {
		return e.storage(ctx, stdout, db, mon)
	}
	work := filepath.Join(filepath.Dir(e.dataDir), "wrk")
	if err := os.MkdirAll(work, 0o700); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tp50\tp99\terrors\tCPU/req\tRSS after\tRSS peak\tWAL peak\tPocketBase req/s\tratio\t")
	var notes []string
	for _, name := range f.scenarios {
		mon.reset()
		cpu0 := srv.cpuTime()
		res, err := e.wrk(ctx, work, srv.base, name, user, seeded)
		if err != nil {
			return err
		}
		note := ""
		if name == "publish" {
			pending, _ := loadPending(ctx, db)
			t0 := time.Now()
			if left, err := loadDrain(ctx, db, f.drainTimeout); err != nil {
				if ctx.Err() != nil {
					return err
				}
				note = fmt.Sprintf("publish: %d analyses queued or running when the burst ended; %d still were %s later (NOT drained)", pending, left, f.drainTimeout)
			} else {
				note = fmt.Sprintf("publish: %d analyses queued or running when the burst ended; the queue drained %.1f s after it", pending, time.Since(t0).Seconds())
			}
		}
		// The server's CPU time over the scenario (and, after publish, the
		// drain: the analyses of what was published) per request: steadier
		// than req/s on a shared machine.
		cpuPerReq := "—"
		if cpu := srv.cpuTime() - cpu0; cpu > 0 && res.requests > 0 {
			cpuPerReq = fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(res.requests))
		}
		pb := pocketBase[name]
		rss, _ := srv.rss()
		wal := mibs(mon.walPeak())
		if e.databaseURL != "" {
			wal = "—"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.0f–%.0f\t%.2f–%.2f×\t\n", name, res.rate(), ms(res.p50), ms(res.p99), res.errors,
			cpuPerReq, mibs(rss<<10), mibs(mon.rssPeak()), wal, pb.lo, pb.hi, res.rate()/pb.hi, res.rate()/pb.lo)
		if note != "" {
			notes = append(notes, note)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(stdout, n)
	}
	fmt.Fprintln(stdout, "PocketBase v0.39.5 (issue 16): create 2,220–2,640 req/s (p99 50–58 ms; request log off), list 795–1,580, get 3,770–4,400; RSS 150–300 MiB under load, 24 MiB idle; ~0.6 KB per record")
	fmt.Fprintf(stdout, "server after the scenarios%s\n", srv.memstats(ctx, e.api))
	return e.storage(ctx, stdout, db, mon)
}

// prepare migrates the fresh database and creates the load user with a
// password (for the sign-in burst), a personal access token and a
// relationship.
func (e *loadEnv) prepare(ctx context.Context) (loadUser, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: e.databaseURL, DataDir: e.dataDir})
	if err != nil {
		return loadUser{}, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, queue.MigrateStep(st)); err != nil {
		return loadUser{}, fmt.Errorf("migrate: %w", err)
	}
	mailer, err := mail.New("", filepath.Join(e.dataDir, "outbox"), "load@example.com")
	if err != nil {
		return loadUser{}, err
	}
	acc, err := accounts.New(accounts.Config{Store: st, Mailer: mailer})
	if err != nil {
		return loadUser{}, err
	}
	hash, err := accounts.HashPassword(loadPassword, accounts.DefaultPasswordParams)
	if err != nil {
		return loadUser{}, err
	}
	u, _, err := acc.CreateUser(ctx, accounts.NewUser{Email: loadEmail, Name: "Load", PasswordHash: hash, EmailVerified: true})
	if err != nil {
		return loadUser{}, err
	}
	tok, err := acc.CreateAccessToken(ctx, u.ID, "load")
	if err != nil {
		return loadUser{}, err
	}
	svc := journal.New(journal.Config{Store: st})
	name, kind := "Sam", "partner"
	rel, err := svc.CreateRelationship(ctx, u.ID, journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		return loadUser{}, err
	}
	return loadUser{id: u.ID, token: tok.Token, relationship: rel.ID}, nil
}

const (
	loadEmail    = "load@example.com"
	loadPassword = "correct horse battery staple"
)

// memoryPhase starts a server on the fresh database, reads its RSS when
// idle, signs in --signins times (argon2id: 19 MiB of working memory per
// hash, up to four at once), and reads its RSS again right after and
// --after-signins later.
func (e *loadEnv) memoryPhase(ctx context.Context, stdout io.Writer, u loadUser) error {
	srv, err := startLoadServer(ctx, e.exe, loadConfig{dataDir: e.dataDir, databaseURL: e.databaseURL}, 0, e.stderr, e.f.serverArgs...)
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := sleepCtx(ctx, e.f.idleSettle); err != nil {
		return err
	}
	idle, _ := srv.rss()
	fmt.Fprintf(stdout, "memory: fresh server idle %s after %s (budget 30 MiB; PocketBase 24 MiB)%s\n", mibs(idle<<10), e.f.idleSettle, srv.memstats(ctx, e.api))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 4)
	)
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, loadEmail, loadPassword)
	for range e.f.signins {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var out map[string]any
			if err := loadPost(ctx, e.api, srv.base+"/api/v1/auth/signin", "", body, &out); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("sign-in burst: %d of %d failed; first: %w", len(errs), e.f.signins, errs[0])
	}
	after, peak := srv.rss()
	fmt.Fprintf(stdout, "memory: after %d sign-ins (4 at a time) %s, peak %s\n", e.f.signins, mibs(after<<10), mibs(peak<<10))
	if e.f.afterSignins > 0 {
		if err := sleepCtx(ctx, e.f.afterSignins); err != nil {
			return err
		}
		later, _ := srv.rss()
		fmt.Fprintf(stdout, "memory: %s after the burst %s (budget 40 MiB)%s\n", e.f.afterSignins, mibs(later<<10), srv.memstats(ctx, e.api))
	}
	return nil
}

// seed imports the entries (published, with their queued analyses) in
// batches through journal.ImportEntries, with the server stopped, and
// returns the id of one of them.
func (e *loadEnv) seed(ctx context.Context, u loadUser) (string, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: e.databaseURL, DataDir: e.dataDir})
	if err != nil {
		return "", err
	}
	defer st.Close()
	jobs, err := queue.New(st, queue.Options{})
	if err != nil {
		return "", err
	}
	svc := journal.New(journal.Config{Store: st, Enqueuer: queue.NewAnalysisJobs(jobs)})
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now().Add(-time.Duration(e.f.entries) * time.Minute)
	const batch = 1000
	var id string
	published := "published"
	for done := 0; done < e.f.entries; done += batch {
		items := make([]journal.ImportItem, min(batch, e.f.entries-done))
		for i := range items {
			text := loadText(r, 12+r.IntN(12))
			items[i] = journal.ImportItem{
				Input:     journal.EntryInput{RelationshipID: &u.relationship, Content: &text, Status: &published},
				CreatedAt: start.Add(time.Duration(done+i) * time.Minute),
			}
		}
		got, err := svc.ImportEntries(ctx, u.id, items)
		if err != nil {
			return "", err
		}
		id = got[len(got)/2].ID
	}
	if e.databaseURL != "" {
		// As autovacuum would within a minute: the planner needs statistics.
		if _, err := st.WriteDB().ExecContext(ctx, `ANALYZE`); err != nil {
			return "", err
		}
	}
	return id, nil
}

func (e *loadEnv) wrk(ctx context.Context, work, base, name string, u loadUser, entryID string) (loadResult, error) {
	sc := loadScenarios[name]
	script := filepath.Join(work, name+".lua")
	if err := os.WriteFile(script, fmt.Appendf(nil, sc.script, u.token, u.relationship, entryID), 0o600); err != nil {
		return loadResult{}, err
	}
	target := base + sc.path
	if strings.Contains(sc.path, "%") {
		target = base + fmt.Sprintf(sc.path, u.token, u.relationship, entryID)
	}
	cmd := exec.CommandContext(ctx, e.f.wrk, "-t"+strconv.Itoa(e.f.threads), "-c"+strconv.Itoa(e.f.conns),
		"-d"+strconv.Itoa(int(e.f.duration.Seconds()))+"s", "-s", script, target)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk %s: %w\n%s", name, err, out)
	}
	res, err := parseWrkResult(string(out))
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk %s: %w", name, err)
	}
	return res, nil
}

// cpuTime is the server process's user and system CPU time so far (0 when
// /proc cannot tell).
func (s *loadServer) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after its
	// closing parenthesis start with the state (field 3).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	// Clock ticks: 100 a second on Linux (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// parseWrkResult reads the line loadDoneScript prints.
func parseWrkResult(out string) (loadResult, error) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || f[0] != "RESONANT-LOAD" {
			continue
		}
		var n [5]int64
		for i := range n {
			var err error
			if n[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
				return loadResult{}, fmt.Errorf("result line %q: %w", line, err)
			}
		}
		if n[1] <= 0 {
			return loadResult{}, fmt.Errorf("result line %q: no duration", line)
		}
		return loadResult{requests: int(n[0]), elapsed: time.Duration(n[1]) * time.Microsecond, errors: int(n[2]),
			p50: time.Duration(n[3]) * time.Microsecond, p99: time.Duration(n[4]) * time.Microsecond}, nil
	}
	return loadResult{}, fmt.Errorf("no result line in its output:\n%s", out)
}

// storage prints the database's size, the storage per entry and the
// largest tables and indexes.
func (e *loadEnv) storage(ctx context.Context, w io.Writer, db *store.Store, mon *loadMonitor) error {
	q := db.WriteDB()
	var entries, analyses int64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM journal_entries), (SELECT COUNT(*) FROM analyses)`).Scan(&entries, &analyses); err != nil {
		return fmt.Errorf("count entries: %w", err)
	}
	type part struct {
		name  string
		bytes int64
	}
	var (
		size      int64
		parts     []part
		head      string
		breakdown string // the query for the largest tables and indexes
	)
	if e.databaseURL == "" {
		var pages, free, pageSize int64
		if err := q.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count), (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)`).Scan(&pages, &free, &pageSize); err != nil {
			return fmt.Errorf("page counts: %w", err)
		}
		size = (pages - free) * pageSize
		wal := fileSize(filepath.Join(e.dataDir, store.SQLiteFile+"-wal"))
		head = fmt.Sprintf("%s %s (%s of it free pages), WAL %s now, %s at most during the scenarios",
			store.SQLiteFile, mibs(pages*pageSize), mibs(free*pageSize), mibs(wal), mibs(mon.walMax()))
		breakdown = `SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT ?`
	} else {
		if err := q.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&size); err != nil {
			return fmt.Errorf("database size: %w", err)
		}
		head = "database " + mibs(size)
		breakdown = `SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 't') ORDER BY 2 DESC LIMIT $1`
	}
	rows, err := q.QueryContext(ctx, breakdown, e.f.tableBreakdownTop)
	if err != nil {
		return fmt.Errorf("largest tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.name, &p.bytes); err != nil {
			return fmt.Errorf("largest tables: %w", err)
		}
		parts = append(parts, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("largest tables: %w", err)
	}
	fmt.Fprintf(w, "storage: %s; %d entries, %d analyses: %.2f KB per entry (budget 1.5 KB at 100,000; PocketBase ~0.6 KB)\n",
		head, entries, analyses, float64(size)/float64(max(entries, 1))/1000)
	var line []string
	for _, p := range parts {
		line = append(line, fmt.Sprintf("%s %s (%.0f B/entry)", p.name, mibs(p.bytes), float64(p.bytes)/float64(max(entries, 1))))
	}
	fmt.Fprintf(w, "storage: largest: %s\n", strings.Join(line, ", "))
	return nil
}

// loadPending counts the analyses not finished yet. COUNT(queued_at) (never
// NULL) makes SQLite read the small partial index of unfinished rows
// (analysis_status_pending); COUNT(*) would scan a whole covering index.
func loadPending(ctx context.Context, db *store.Store) (int, error) {
	var n int
	err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(queued_at) FROM analysis_status WHERE status IN ('queued', 'processing')`).Scan(&n)
	return n, err
}

// loadWaitJobs waits until no River job is available, running or
// retryable (scheduled ones, such as periodic jobs, do not count).
func loadWaitJobs(ctx context.Context, db *store.Store, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		var n int
		if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')`).Scan(&n); err != nil {
			return 0, fmt.Errorf("count waiting jobs: %w", err)
		}
		if n == 0 {
			return 0, nil
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("%d jobs still waiting after %s", n, timeout)
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return n, err
		}
	}
}

// loadDrain waits until no analysis is queued or running.
func loadDrain(ctx context.Context, db *store.Store, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		n, err := loadPending(ctx, db)
		if err != nil {
			return 0, fmt.Errorf("count pending analyses: %w", err)
		}
		if n == 0 {
			return 0, nil
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("%d analyses still pending after %s", n, timeout)
		}
		if err := sleepCtx(ctx, 50*time.Millisecond); err != nil {
			return n, err
		}
	}
}

// loadFreshPostgres creates an empty database on the server at adminURL
// and returns its URL and a function that drops it.
func loadFreshPostgres(ctx context.Context, adminURL string) (string, func() error, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", redactURL(adminURL), err)
	}
	name := fmt.Sprintf("resonant_load_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		_ = conn.Close(ctx)
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	_ = conn.Close(ctx)
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}

// loadMonitor samples the WAL's size (SQLite) and the server's RSS every
// 50 ms, so a short peak between scenarios' reports is seen.
type loadMonitor struct {
	mu               sync.Mutex
	wal, walAll, rss int64
	done, finished   chan struct{}
}

func newLoadMonitor(e *loadEnv, srv *loadServer) *loadMonitor {
	m := &loadMonitor{done: make(chan struct{}), finished: make(chan struct{})}
	walPath := ""
	if e.databaseURL == "" {
		walPath = filepath.Join(e.dataDir, store.SQLiteFile+"-wal")
	}
	go func() {
		defer close(m.finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			var wal int64
			if walPath != "" {
				wal = fileSize(walPath)
			}
			rss, _ := srv.rss()
			m.mu.Lock()
			m.wal, m.walAll, m.rss = max(m.wal, wal), max(m.walAll, wal), max(m.rss, rss<<10)
			m.mu.Unlock()
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *loadMonitor) reset() {
	m.mu.Lock()
	m.wal, m.rss = 0, 0
	m.mu.Unlock()
}

func (m *loadMonitor) walPeak() int64 { m.mu.Lock(); defer m.mu.Unlock(); return m.wal }
func (m *loadMonitor) walMax() int64  { m.mu.Lock(); defer m.mu.Unlock(); return m.walAll }
func (m *loadMonitor) rssPeak() int64 { m.mu.Lock(); defer m.mu.Unlock(); return m.rss }
func (m *loadMonitor) stop()          { close(m.done); <-m.finished }

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func mibs(b int64) string {
	if b >= 10<<20 {
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
