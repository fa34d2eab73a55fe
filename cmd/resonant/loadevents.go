package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/realtime"
	"github.com/resonant-journal/resonant/internal/store"
)

const loadEventsUsage = `usage: resonant dev load-events [flags]

Measures the event stream under load. It creates --users users with access
tokens, starts --instances servers (this binary's serve) on one database,
opens --streams event streams spread over the users (on the last instance),
publishes entries through the API of the first instance, and reports:
connect time, per-event delivery latency (from the publishing request's
send to the event's arrival on each stream), missing and duplicate events,
the publishing request's own latency with and without subscribers, and
the servers' RSS. Several instances need --database-url (PostgreSQL).

Flags:
`

// loadConfig is what one run measures.
type loadConfig struct {
	streams, users, entries, baseline, publishers, instances int
	rate                                                     float64
	databaseURL, dataDir                                     string
	wait                                                     time.Duration
}

func runLoadEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev load-events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c loadConfig
	fs.IntVar(&c.streams, "streams", 1000, "event streams to open")
	fs.IntVar(&c.users, "users", 100, "users the streams are spread over")
	fs.IntVar(&c.entries, "entries", 300, "entries to publish with the streams open")
	fs.IntVar(&c.baseline, "baseline", 300, "entries to publish first with no stream open (the publish latency baseline)")
	fs.IntVar(&c.publishers, "publishers", 4, "concurrent publishing clients")
	fs.Float64Var(&c.rate, "rate", 50, "entries per second to publish (all publishers together)")
	fs.IntVar(&c.instances, "instances", 1, "servers to start on the one database (more than 1 needs --database-url)")
	fs.StringVar(&c.databaseURL, "database-url", "", "PostgreSQL database to use (its contents are added to); empty = SQLite in a temporary directory")
	fs.DurationVar(&c.wait, "wait", 30*time.Second, "how long to wait for the last events before counting them missing")
	fs.Usage = func() {
		fmt.Fprint(stderr, loadEventsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case c.streams < 1, c.users < 1, c.entries < 1, c.publishers < 1, c.rate <= 0:
		return fmt.Errorf("%w: --streams, --users, --entries, --publishers and --rate must be positive", errUsage)
	case c.instances < 1 || (c.instances > 1 && c.databaseURL == ""):
		return fmt.Errorf("%w: --instances above 1 needs --database-url", errUsage)
	}
	dir, err := os.MkdirTemp("", "resonant-load-events-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c.dataDir = dir
	return loadEvents(ctx, c, stdout, stderr)
}

type loadUser struct {
	id, token, relationship string
}

func loadEvents(ctx context.Context, c loadConfig, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "load-events: %d streams over %d users, %d instance(s) on %s; %d entries at %.0f/s by %d publishers (baseline %d with no streams)\n",
		c.streams, c.users, c.instances, map[bool]string{true: "PostgreSQL", false: "SQLite"}[c.databaseURL != ""],
		c.entries, c.rate, c.publishers, c.baseline)
	users, err := loadPrepareUsers(ctx, c)
	if err != nil {
		return err
	}

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var servers []*loadServer
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for i := range c.instances {
		s, err := startLoadServer(ctx, exe, c, i, stderr)
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}
	api := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: 30 * time.Second}
	pub := servers[0]
	for i := range users {
		rel, err := loadCreateRelationship(ctx, api, pub.base, users[i].token)
		if err != nil {
			return err
		}
		users[i].relationship = rel
	}

	// The publishing request's latency with nobody listening.
	var base []time.Duration
	if c.baseline > 0 {
		base, _, err = loadPublish(ctx, c, api, pub.base, users, c.baseline, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "publish with no streams:     p50 %s  p99 %s  (%d requests)\n", pct(base, 50), pct(base, 99), len(base))
	}

	// Open the streams on the last instance (the first one publishes, so
	// with two instances every event crosses between them).
	streamSrv := servers[len(servers)-1]
	streams, connect, err := loadOpenStreams(ctx, c, streamSrv.base, users)
	defer func() {
		for _, s := range streams {
			s.close()
		}
	}()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "connect (to opening comment): p50 %s  p99 %s  max %s  (%d streams)\n", pct(connect, 50), pct(connect, 99), pct(connect, 100), len(connect))

	sent := &sync.Map{} // entry id → [send time, response time]
	pubLat, expected, err := loadPublish(ctx, c, api, pub.base, users, c.entries, sent)
	if err != nil {
		return err
	}
	// Wait until every stream has every entry of its user, or time is up.
	deadline := time.Now().Add(c.wait)
	for time.Now().Before(deadline) {
		done := true
		for _, s := range streams {
			if s.created.Load() < int64(expected[s.user]) {
				done = false
				break
			}
		}
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var (
		lat, afterResp              []time.Duration
		missing, dups, dropped, got int
	)
	for _, s := range streams {
		s.mu.Lock()
		for id, at := range s.recv {
			if ts, ok := sent.Load(id); ok {
				t := ts.([2]time.Time)
				lat = append(lat, at.Sub(t[0]))
				afterResp = append(afterResp, at.Sub(t[1]))
			}
		}
		got += len(s.recv)
		missing += expected[s.user] - len(s.recv)
		dups += s.dups
		if s.err != nil {
			dropped++
		}
		s.mu.Unlock()
	}
	fmt.Fprintf(stdout, "publish with %d streams:  p50 %s  p99 %s  (%d requests)\n", len(streams), pct(pubLat, 50), pct(pubLat, 99), len(pubLat))
	fmt.Fprintf(stdout, "delivery (send → arrival):   p50 %s  p99 %s  max %s  (%d deliveries of entry.created)\n", pct(lat, 50), pct(lat, 99), pct(lat, 100), len(lat))
	fmt.Fprintf(stdout, "delivery after the response: p50 %s  p99 %s  (negative: the event arrived before the response)\n", pct(afterResp, 50), pct(afterResp, 99))
	fmt.Fprintf(stdout, "missing %d  duplicates %d  streams ended early %d\n", missing, dups, dropped)
	for i, s := range servers {
		rss, hwm := s.rss()
		fmt.Fprintf(stdout, "server %d RSS %.0f MiB (peak %.0f MiB)%s; CPU %.1f s\n", i+1, float64(rss)/1024, float64(hwm)/1024, s.memstats(ctx, api), s.cpu())
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(stdout, "this load client: CPU %.1f s (it shares the machine with the servers)\n",
			time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds())
	}
	// The baseline again with the streams closed: on a shared machine the
	// load drifts, and two baselines bracket the run.
	if c.baseline > 0 {
		for _, s := range streams {
			s.close()
		}
		after, _, err := loadPublish(ctx, c, api, pub.base, users, c.baseline, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "publish with no streams again: p50 %s  p99 %s  (%d requests)\n", pct(after, 50), pct(after, 99), len(after))
	}
	if missing > 0 || dups > 0 {
		return fmt.Errorf("load-events: %d missing, %d duplicate events", missing, dups)
	}
	return nil
}

// loadPrepareUsers creates the users and their tokens directly in the
// database (signing up thousands through the API would only measure the
// sign-up rate limits), then closes it for the servers.
func loadPrepareUsers(ctx context.Context, c loadConfig) ([]loadUser, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: c.databaseURL, DataDir: c.dataDir})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, queue.MigrateStep(st)); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	mailer, err := mail.New("", filepath.Join(c.dataDir, "outbox"), "load@example.com")
	if err != nil {
		return nil, err
	}
	acc, err := accounts.New(accounts.Config{Store: st, Mailer: mailer})
	if err != nil {
		return nil, err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	users := make([]loadUser, c.users)
	for i := range users {
		u, _, err := acc.CreateUser(ctx, accounts.NewUser{Email: fmt.Sprintf("load-%s-%d@example.com", run, i), Name: "Load", EmailVerified: true})
		if err != nil {
			return nil, err
		}
		tok, err := acc.CreateAccessToken(ctx, u.ID, "load-events")
		if err != nil {
			return nil, err
		}
		users[i] = loadUser{id: u.ID, token: tok.Token}
	}
	return users, nil
}

type loadServer struct {
	cmd  *exec.Cmd
	base string // http://host:port
	done chan struct{}
}

func startLoadServer(ctx context.Context, exe string, c loadConfig, i int, stderr io.Writer, extra ...string) (*loadServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	dataDir := c.dataDir
	if c.databaseURL != "" {
		dataDir = filepath.Join(c.dataDir, "instance"+strconv.Itoa(i))
	}
	args := []string{"serve", "--addr", addr, "--data-dir", dataDir, "--log-level", "warn"}
	if c.databaseURL != "" {
		args = append(args, "--database-url", c.databaseURL)
	}
	args = append(args, extra...)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = stderr
	// The flags above choose the database, never the caller's environment.
	cmd.Env = append(os.Environ(), "RESONANT_GEMINI_API_KEY=", "RESONANT_OPENAI_BASE_URL=", "RESONANT_DATABASE_URL=")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &loadServer{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	for range 300 {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("server %d exited at start-up", i+1)
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.stop()
	return nil, fmt.Errorf("server %d not ready within 30 s", i+1)
}

func (s *loadServer) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// cpu returns the CPU seconds the server has used (user + system).
func (s *loadServer) cpu() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: utime and stime are
	// the 12th and 13th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

// rss returns the server's resident and peak resident set in KiB.
func (s *loadServer) rss() (rss, hwm int64) {
	st := s.status()
	return st["VmRSS:"], st["VmHWM:"]
}

// status reads the server's /proc status: the KiB figures by their field
// name (with its colon), empty if the process is gone.
func (s *loadServer) status() map[string]int64 {
	out := map[string]int64{}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return out
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			out[f[0]], _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return out
}

// memstats reads the Go runtime's own account of the server's memory from
// its /metrics: heap in use, goroutine stacks, goroutines.
func (s *loadServer) memstats(ctx context.Context, api *http.Client) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/metrics", nil)
	if err != nil {
		return ""
	}
	resp, err := api.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	vals := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "go_goroutines":
			vals[name], _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if len(vals) == 0 {
		return ""
	}
	anon, file := s.rssParts()
	return fmt.Sprintf(": anonymous %s + mapped files (the binary) %s; heap in use %.0f MiB, stacks %.0f MiB, %.0f goroutines",
		mibs(anon<<10), mibs(file<<10),
		vals["go_memstats_heap_inuse_bytes"]/(1<<20), vals["go_memstats_stack_inuse_bytes"]/(1<<20), vals["go_goroutines"])
}

// rssParts splits the server's RSS (KiB) into its anonymous memory (heap,
// stacks, SQLite's caches) and the pages of mapped files, nearly all of
// them the executable's own: clean pages the kernel can drop and read back.
func (s *loadServer) rssParts() (anon, file int64) {
	st := s.status()
	return st["RssAnon:"], st["RssFile:"]
}

func loadCreateRelationship(ctx context.Context, api *http.Client, base, token string) (string, error) {
	var out struct {
		Relationship struct {
			ID string `json:"id"`
		} `json:"relationship"`
	}
	if err := loadPost(ctx, api, base+"/api/v1/relationships", token, `{"name":"Sam","kind":"partner"}`, &out); err != nil {
		return "", fmt.Errorf("create relationship: %w", err)
	}
	return out.Relationship.ID, nil
}

func loadPost(ctx context.Context, api *http.Client, url, token, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}

// loadPublish publishes n entries round-robin over the users at c.rate and
// returns each request's latency and how many entries each user got.
// sent (when set) records each entry's send time by id.
func loadPublish(ctx context.Context, c loadConfig, api *http.Client, base string, users []loadUser, n int, sent *sync.Map) ([]time.Duration, map[string]int, error) {
	var (
		mu       sync.Mutex
		lat      []time.Duration
		expected = map[string]int{}
		firstErr error
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	interval := time.Duration(float64(time.Second) / c.rate)
	start := time.Now()
	for range c.publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
					time.Sleep(d)
				}
				u := users[i%len(users)]
				body := fmt.Sprintf(`{"relationshipId":%q,"content":"We cooked dinner together and talked about the week (%d). I felt heard, though work stress crept in again.","status":"published"}`, u.relationship, i)
				var out struct {
					Entry struct {
						ID string `json:"id"`
					} `json:"entry"`
				}
				t0 := time.Now()
				// The send time is recorded before the request, keyed once
				// the id is known; an event arriving first waits in the
				// stream's record and is matched afterwards.
				err := loadPost(ctx, api, base+"/api/v1/entries", u.token, body, &out)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("publish: %w", err)
					}
					mu.Unlock()
					return
				}
				lat = append(lat, d)
				expected[u.id]++
				mu.Unlock()
				if sent != nil {
					sent.Store(out.Entry.ID, [2]time.Time{t0, t0.Add(d)})
				}
			}
		}()
	}
	wg.Wait()
	return lat, expected, firstErr
}

// loadStream is one open event stream and what arrived on it.
type loadStream struct {
	user    string
	body    io.ReadCloser
	created atomic.Int64

	mu   sync.Mutex
	recv map[string]time.Time // entry id → arrival of its entry.created
	ids  map[string]struct{}  // every event id seen
	dups int
	err  error
}

func (s *loadStream) close() { _ = s.body.Close() }

func loadOpenStreams(ctx context.Context, c loadConfig, base string, users []loadUser) ([]*loadStream, []time.Duration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true, MaxConnsPerHost: 0}
	client := &http.Client{Transport: tr}
	var (
		mu      sync.Mutex
		streams []*loadStream
		connect []time.Duration
		errs    []error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, 64)
	)
	for i := range c.streams {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			u := users[i%len(users)]
			t0 := time.Now()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/events", nil)
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+u.token)
			resp, err := client.Do(req)
			if err == nil && resp.StatusCode != http.StatusOK {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				err = fmt.Errorf("open stream: %d %s", resp.StatusCode, bytes.TrimSpace(b))
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			s := &loadStream{user: u.id, body: resp.Body, recv: map[string]time.Time{}, ids: map[string]struct{}{}}
			rd := realtime.NewReader(resp.Body)
			if m, err := rd.Next(); err != nil || !m.IsComment {
				resp.Body.Close()
				mu.Lock()
				errs = append(errs, fmt.Errorf("stream did not open with a comment: %v", err))
				mu.Unlock()
				return
			}
			d := time.Since(t0)
			mu.Lock()
			streams = append(streams, s)
			connect = append(connect, d)
			mu.Unlock()
			go s.read(rd)
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return streams, connect, fmt.Errorf("%d of %d streams failed to open; first: %w", len(errs), c.streams, errs[0])
	}
	return streams, connect, nil
}

func (s *loadStream) read(rd *realtime.Reader) {
	for {
		m, err := rd.Next()
		now := time.Now()
		if err != nil {
			s.mu.Lock()
			if !errors.Is(err, net.ErrClosed) {
				s.err = err
			}
			s.mu.Unlock()
			return
		}
		if m.IsComment {
			continue
		}
		s.mu.Lock()
		if _, seen := s.ids[m.ID]; seen {
			s.dups++
		}
		s.ids[m.ID] = struct{}{}
		if m.Event == store.EventEntryCreated {
			var d struct {
				EntityID string `json:"entityId"`
			}
			if json.Unmarshal([]byte(m.Data), &d) == nil {
				if _, ok := s.recv[d.EntityID]; !ok {
					s.recv[d.EntityID] = now
					s.created.Add(1)
				}
			}
		}
		s.mu.Unlock()
	}
}

// pct returns the p-th percentile (nearest rank) of ds, rounded for
// reading.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return s[i].Round(10 * time.Microsecond)
}
