package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/gemini"
)

// lineWriter hands the first line written to it to the test.
type lineWriter struct{ lines chan string }

func (w lineWriter) Write(p []byte) (int, error) {
	select {
	case w.lines <- string(p):
	default:
	}
	return len(p), nil
}

func TestDevFakeGeminiServesFaultsSwitchedOverHTTP(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	out := lineWriter{make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "fake-gemini", "--addr", "127.0.0.1:0", "--api-key", "demo"}, nil, out, io.Discard)
	}()
	var base string
	select {
	case line := <-out.lines:
		base = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	case err := <-done:
		t.Fatalf("exited early: %v", err)
	}
	if base == "" {
		t.Fatal("no address printed")
	}

	resp, err := http.Post(base+"/_fake/fault?mode=rate_limit&n=1", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("set fault: %v %v", resp, err)
	}
	resp.Body.Close()
	a, err := gemini.New(ctx, gemini.Config{APIKey: "demo", BaseURL: base, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Analyze(ctx, analysis.Input{Content: "We laughed all evening."})
	if e := analysis.AsError(err); e.Kind != analysis.KindRateLimit || e.RetryAfter != 7*time.Second {
		t.Errorf("first call: %v", err)
	}
	if _, err := a.Analyze(ctx, analysis.Input{Content: "We laughed all evening."}); err != nil {
		t.Errorf("second call: %v", err)
	}
	resp, err = http.Get(base + "/_fake/stats")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"total":2`) || !strings.Contains(string(b), `"rate_limit":1`) {
		t.Errorf("stats = %s", b)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestDevRejectsUnknownToolsAndFaults(t *testing.T) {
	for _, args := range [][]string{{"dev"}, {"dev", "fake-openai"}, {"dev", "fake-gemini", "--fault", "earthquake"}} {
		var stderr bytes.Buffer
		if err := run(t.Context(), args, nil, io.Discard, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestParseWrkResult(t *testing.T) {
	out := "Running 20s test @ http://127.0.0.1:1/api/v1/entries\n  2 threads and 32 connections\nRESONANT-LOAD 14000 20000000 3 1500 28000\n"
	got, err := parseWrkResult(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.requests != 14000 || got.errors != 3 || got.p50 != 1500*time.Microsecond || got.p99 != 28*time.Millisecond || got.rate() != 700 {
		t.Fatalf("parseWrkResult = %+v (rate %v)", got, got.rate())
	}
	if _, err := parseWrkResult("Running 20s test\nSocket errors: connect 32\n"); err == nil {
		t.Fatal("output without a result line parsed")
	}
}

func TestDevLoadRefusesUnknownScenario(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"dev", "load", "--scenarios", "publish,delete"}, nil, &stdout, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), `"delete"`) {
		t.Fatalf("err = %v, want a usage error naming the scenario", err)
	}
}

func TestDevSeedDemoWritesAJournalOnceIntoANewDataDir(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"dev", "seed-demo", "--data-dir", dir, "--days", "14", "--email", "seed@example.com"}
	if err := run(t.Context(), args, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`demo journal for seed@example.com: 4 relationships, \d+ entries analysed \(\+1 draft\)`).MatchString(out.String()) ||
		!strings.Contains(out.String(), `sign in as seed@example.com with the password "demo-journal"`) {
		t.Fatalf("output: %s", out.String())
	}
	err := run(t.Context(), args, nil, io.Discard, io.Discard)
	if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "already has an account; nothing was changed") {
		t.Fatalf("second run: %v", err)
	}
	for _, bad := range [][]string{{"--days", "3"}, {"--bogus"}, {"extra"}} {
		if err := run(t.Context(), append([]string{"dev", "seed-demo", "--data-dir", dir}, bad...), nil, io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}
