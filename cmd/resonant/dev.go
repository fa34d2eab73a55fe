package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/fakegemini"
)

const devUsage = `usage: resonant dev fake-gemini [flags]
       resonant dev load [flags]          (publish, draft, list, get under wrk beside PocketBase's figures; -h for its flags)
       resonant dev load-events [flags]   (measure the event stream under load; -h for its flags)
       resonant dev seed-demo [flags]     (write a demo journal of a few months for a new user; -h for its flags)

Runs a fake Gemini API (generateContent wire format) for local demos of the
analysis pipeline's retries, breaker and fallback. Point the server at it with
--gemini-base-url http://ADDR --gemini-api-key KEY, then switch faults while it runs:

  curl -X POST 'http://ADDR/_fake/fault?mode=rate_limit&n=3'    # next 3 calls answer 429
  curl -X POST 'http://ADDR/_fake/fault?mode=error_503&rate=0.3&seed=1'  # 30% of calls fail
  curl -X POST 'http://ADDR/_fake/fault?mode=slow&delay=5s'      # every call waits 5 s
  curl -X POST 'http://ADDR/_fake/fault?mode=none'               # healthy again
  curl 'http://ADDR/_fake/stats'                                 # calls by outcome

Faults: none, error_500, error_503, rate_limit, timeout, malformed,
schema_violation, safety, safety_finish, fenced, sloppy, slow.

Flags:
`

// runDev implements `resonant dev`: tools for developing and demonstrating
// Resonant, never needed in production.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "load" {
		return runLoad(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "load-events" {
		return runLoadEvents(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "seed-demo" {
		return runSeedDemo(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "fake-gemini" {
		fmt.Fprint(stderr, devUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: dev needs a tool name (fake-gemini)", errUsage)
		}
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return flag.ErrHelp
		}
		return fmt.Errorf("%w: unknown dev tool %q (want fake-gemini, load-events or seed-demo)", errUsage, args[0])
	}
	fs := flag.NewFlagSet("dev fake-gemini", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8089", "listen address")
	key := fs.String("api-key", "", "API key the fake requires (empty: any non-empty key)")
	fault := fs.String("fault", "none", "fault for every call at start")
	delay := fs.Duration("delay", 2*time.Second, "how long the slow fault waits")
	retryAfter := fs.Duration("retry-after", 7*time.Second, "pause the rate_limit fault asks for")
	fs.Usage = func() {
		fmt.Fprint(stderr, devUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	f, err := fakegemini.ParseFault(*fault)
	if err != nil {
		return fmt.Errorf("%w: --fault: %w", errUsage, err)
	}

	fake := fakegemini.New(fakegemini.Options{APIKey: *key, Delay: *delay, RetryAfter: *retryAfter})
	fake.SetFault(f)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("dev fake-gemini: %w", err)
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "fake Gemini listening on http://%s (fault %s); use --gemini-base-url http://%s\n", ln.Addr(), f, ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("dev fake-gemini: %w", err)
	case <-ctx.Done():
	}
	fake.Close() // release calls parked by the timeout and slow faults
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("dev fake-gemini: shutdown: %w", err)
	}
	return nil
}
