// Package fakegemini is a stand-in for the Gemini API's generateContent
// endpoint, for tests and local demos (`resonant dev fake-gemini`). It speaks
// the real wire format — the same paths, headers, JSON bodies and error shapes —
// so the real client runs against it, and it can be told at run time to fail the
// ways the real service does.
package fakegemini

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/offline"
)

// Fault is a way for a call to go wrong.
type Fault int

// The faults. None answers with a plausible analysis.
const (
	None            Fault = iota
	Error500              // 500 INTERNAL
	Error503              // 503 UNAVAILABLE ("the model is overloaded")
	RateLimit             // 429 RESOURCE_EXHAUSTED with a Retry-After header and google.rpc.RetryInfo
	Timeout               // no answer until the caller gives up (or the server closes)
	Malformed             // 200, but the candidate's text is cut-off JSON
	SchemaViolation       // 200, JSON with sentimentScore 3.7 and unknown enum values
	Safety                // 200, prompt blocked: promptFeedback.blockReason SAFETY, no candidate
	SafetyFinish          // 200, answer blocked: candidate finishReason SAFETY, no text
	Fenced                // 200, a valid answer wrapped in a Markdown code fence and prose
	Slow                  // a healthy answer after the configured delay
	Sloppy                // 200, repairable slips: score 1.03, Title Case and unknown enum values, duplicate keywords
)

var faultNames = [...]string{
	None: "none", Error500: "error_500", Error503: "error_503", RateLimit: "rate_limit",
	Timeout: "timeout", Malformed: "malformed", SchemaViolation: "schema_violation",
	Safety: "safety", SafetyFinish: "safety_finish", Fenced: "fenced", Slow: "slow", Sloppy: "sloppy",
}

func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// ParseFault reads a fault's name as String writes it ("ok" means None).
func ParseFault(s string) (Fault, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "ok" || s == "" {
		return None, nil
	}
	for f, name := range faultNames {
		if name == s {
			return Fault(f), nil
		}
	}
	return None, fmt.Errorf("unknown fault %q (want one of %s)", s, strings.Join(faultNames[:], ", "))
}

// Outcomes counted in Stats besides the faults' names.
const (
	OutcomeOK           = "ok"
	OutcomeUnauthorized = "unauthorized" // missing or wrong API key
	OutcomeBadRequest   = "bad_request"  // unreadable request body
)

// Options configures a Server. The zero value accepts any API key, waits 2 s
// for Slow and asks for a 7 s pause on RateLimit.
type Options struct {
	APIKey               string            // when set, the x-goog-api-key every call must carry
	Delay                time.Duration     // how long Slow waits; default 2 s
	RetryAfter           time.Duration     // RateLimit's pause, whole seconds; default 7 s
	OmitRetryAfterHeader bool              // RateLimit sends only google.rpc.RetryInfo, as Gemini often does
	EntryAnalyzer        *offline.Analyzer // reads the entries; default offline.New()
}

// Stats counts the generateContent calls the server received.
type Stats struct {
	Total    int            `json:"total"`
	Outcomes map[string]int `json:"outcomes"` // by fault name, OutcomeOK, OutcomeUnauthorized, OutcomeBadRequest
}

// Server is an http.Handler; serve it with httptest.NewServer or http.Server.
// Its faults can be changed while it serves: every method is safe for
// concurrent use.
type Server struct {
	opts     Options
	analyzer *offline.Analyzer
	closed   chan struct{}
	close    sync.Once

	mu        sync.Mutex
	fault     Fault // for every call, unless one below applies
	next      int   // calls left that fail with nextFault
	nextFault Fault
	rate      float64 // share of calls that fail with rateFault
	rateFault Fault
	rng       *rand.Rand
	delay     time.Duration
	stats     Stats
	lastBody  []byte
	lastModel string
	responses int
}

// New returns a healthy server.
func New(opts Options) *Server {
	if opts.Delay <= 0 {
		opts.Delay = 2 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 7 * time.Second
	}
	a := opts.EntryAnalyzer
	if a == nil {
		a = offline.New()
	}
	return &Server{
		opts:     opts,
		analyzer: a,
		closed:   make(chan struct{}),
		rng:      rand.New(rand.NewPCG(1, 1)),
		delay:    opts.Delay,
		stats:    Stats{Outcomes: map[string]int{}},
	}
}

// SetFault makes every call fail with f (None heals the server). It clears
// FailNext and FailRate.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault, s.next, s.rate = f, 0, 0
}

// FailNext makes the next n calls fail with f; later calls behave as before.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next, s.nextFault = max(n, 0), f
}

// FailRate makes a share p of calls fail with f, drawn from a generator seeded
// with seed so a run can be replayed exactly.
func (s *Server) FailRate(p float64, f Fault, seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate, s.rateFault = min(max(p, 0), 1), f
	s.rng = rand.New(rand.NewPCG(seed, seed))
}

// SetDelay changes how long Slow waits.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Reset heals the server and zeroes its counters.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault, s.next, s.rate = None, 0, 0
	s.stats = Stats{Outcomes: map[string]int{}}
	s.lastBody, s.lastModel = nil, ""
}

// Calls returns a copy of the counters.
func (s *Server) Calls() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Total: s.stats.Total, Outcomes: make(map[string]int, len(s.stats.Outcomes))}
	for k, v := range s.stats.Outcomes {
		out.Outcomes[k] = v
	}
	return out
}

// LastRequest returns the model and JSON body of the latest generateContent call.
func (s *Server) LastRequest() (model string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastModel, s.lastBody
}

// Close releases calls held by Timeout and Slow; they answer 504. Call it
// before closing the http.Server that serves s.
func (s *Server) Close() { s.close.Do(func() { close(s.closed) }) }

// pick decides the fate of one call and counts it.
func (s *Server) pick(model string, body []byte) (Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	switch {
	case s.next > 0:
		s.next--
		f = s.nextFault
	case s.rate > 0:
		if s.rng.Float64() < s.rate {
			f = s.rateFault
		} else {
			f = None
		}
	}
	s.count(outcome(f))
	s.lastModel, s.lastBody = model, body
	return f, s.delay
}

func (s *Server) count(outcome string) {
	s.stats.Total++
	s.stats.Outcomes[outcome]++
}

func outcome(f Fault) string {
	if f == None {
		return OutcomeOK
	}
	return f.String()
}

const (
	pathPrefix = "/v1beta/models/"
	pathSuffix = ":generateContent"
)

// ServeHTTP answers generateContent and the control endpoints
// POST /_fake/fault?mode=…&n=…&rate=…&seed=…&delay=…, POST /_fake/reset and
// GET /_fake/stats.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/_fake/"):
		s.control(w, r)
	case strings.HasPrefix(p, pathPrefix) && strings.HasSuffix(p, pathSuffix) && r.Method == http.MethodPost:
		s.generateContent(w, r, strings.TrimSuffix(strings.TrimPrefix(p, pathPrefix), pathSuffix))
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.", nil)
	}
}

type request struct {
	Contents []struct {
		Role  string `json:"role"`
		Parts []struct {
			Text string `json:"text"`
		} `json:"parts"`
	} `json:"contents"`
}

func (s *Server) generateContent(w http.ResponseWriter, r *http.Request, model string) {
	key := r.Header.Get("x-goog-api-key")
	if key == "" {
		key = r.URL.Query().Get("key")
	}
	if key == "" || (s.opts.APIKey != "" && key != s.opts.APIKey) {
		s.mu.Lock()
		s.count(OutcomeUnauthorized)
		s.mu.Unlock()
		if key == "" {
			writeError(w, http.StatusForbidden, "PERMISSION_DENIED",
				"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", nil)
			return
		}
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
			[]map[string]any{{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req request
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || len(req.Contents) == 0 {
		s.mu.Lock()
		s.count(OutcomeBadRequest)
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received: contents is required.", nil)
		return
	}
	fault, delay := s.pick(model, body)

	switch fault {
	case Error500:
		writeError(w, http.StatusInternalServerError, "INTERNAL", "An internal error has occurred. Please retry or report it.", nil)
		return
	case Error503:
		writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The model is overloaded. Please try again later.", nil)
		return
	case RateLimit:
		secs := max(1, int(s.opts.RetryAfter.Round(time.Second)/time.Second))
		if !s.opts.OmitRetryAfterHeader {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		writeError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED",
			"You exceeded your current quota, please check your plan and billing details.",
			[]map[string]any{
				{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []map[string]any{{
					"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
					"quotaId":     "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
				}}},
				{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": strconv.Itoa(secs) + "s"},
			})
		return
	case Timeout:
		select {
		case <-r.Context().Done():
		case <-s.closed:
			writeError(w, http.StatusGatewayTimeout, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", nil)
		}
		return
	case Slow:
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closed:
			writeError(w, http.StatusGatewayTimeout, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", nil)
			return
		}
	}

	var prompt strings.Builder
	for _, c := range req.Contents {
		for _, p := range c.Parts {
			prompt.WriteString(p.Text)
		}
	}
	s.writeAnswer(w, model, fault, analysis.EntryText(prompt.String()))
}

func (s *Server) writeAnswer(w http.ResponseWriter, model string, fault Fault, entry string) {
	s.mu.Lock()
	s.responses++
	id := fmt.Sprintf("fake-%06d", s.responses)
	s.mu.Unlock()
	usage := map[string]any{"promptTokenCount": len(entry)/4 + 400, "totalTokenCount": len(entry)/4 + 550, "candidatesTokenCount": 150}
	resp := map[string]any{"usageMetadata": usage, "modelVersion": model, "responseId": id}

	if fault == Safety {
		resp["promptFeedback"] = map[string]any{
			"blockReason":   "SAFETY",
			"safetyRatings": []map[string]any{{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": true}},
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	candidate := map[string]any{"index": 0, "finishReason": "STOP"}
	if fault == SafetyFinish {
		candidate["finishReason"] = "SAFETY"
		candidate["safetyRatings"] = []map[string]any{{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}}
	} else {
		candidate["content"] = map[string]any{"role": "model", "parts": []map[string]any{{"text": s.answerText(fault, entry)}}}
	}
	resp["candidates"] = []any{candidate}
	writeJSON(w, http.StatusOK, resp)
}

// answerText is what the model "wrote": the offline analyzer's reading of the
// entry, serialised as the schema asks, or a broken version of it.
func (s *Server) answerText(fault Fault, entry string) string {
	res := s.analyzer.Analyze(entry)
	b, _ := json.Marshal(res) // a Result always marshals
	switch fault {
	case Malformed:
		return string(b[:len(b)/2])
	case SchemaViolation:
		return `{"sentimentScore":3.7,"emotionalKeywords":["overjoyed"],"confidenceLevel":0.9,` +
			`"reasoning":"Out of range.","patterns":{"recurring_themes":["telepathy"],"emotional_triggers":[],` +
			`"communication_style":"interpretive_dance","relationship_dynamics":["soulmates"]}}`
	case Sloppy:
		return `{"sentimentScore":1.03,"emotionalKeywords":[" Grateful ","grateful","","close"],"confidenceLevel":0.9,` +
			`"reasoning":"  This entry reads as warm.  ","patterns":{"recurring_themes":["Quality Time","telepathy"],` +
			`"emotional_triggers":"stress","communication_style":"Heartfelt","relationship_dynamics":["turning-toward"]}}`
	case Fenced:
		return "Here is the analysis:\n```json\n" + string(b) + "\n```"
	}
	return string(b)
}

func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_fake/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Calls())
	case r.URL.Path == "/_fake/reset" && r.Method == http.MethodPost:
		s.Reset()
		writeJSON(w, http.StatusOK, s.Calls())
	case r.URL.Path == "/_fake/fault" && r.Method == http.MethodPost:
		if err := s.setFromQuery(r); err != nil {
			writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error(), nil)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Unknown control endpoint.", nil)
	}
}

// setFromQuery applies mode (a fault name) as FailNext when n is given, as
// FailRate when rate is given, or for every call otherwise; delay sets Slow's
// delay.
func (s *Server) setFromQuery(r *http.Request) error {
	q := r.URL.Query()
	f, err := ParseFault(q.Get("mode"))
	if err != nil {
		return err
	}
	if v := q.Get("delay"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("delay %q: want a duration such as 2s", v)
		}
		s.SetDelay(d)
	}
	n, rate, seed := 0, 0.0, uint64(1)
	if v := q.Get("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("n %q: want a count", v)
		}
	}
	if v := q.Get("rate"); v != "" {
		if rate, err = strconv.ParseFloat(v, 64); err != nil || rate < 0 || rate > 1 {
			return fmt.Errorf("rate %q: want a share between 0 and 1", v)
		}
	}
	if v := q.Get("seed"); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			return fmt.Errorf("seed %q: want an unsigned integer", v)
		}
	}
	switch {
	case n > 0:
		s.FailNext(n, f)
	case rate > 0:
		s.FailRate(rate, f, seed)
	default:
		s.SetFault(f)
	}
	return nil
}

func writeError(w http.ResponseWriter, code int, status, msg string, details []map[string]any) {
	e := map[string]any{"code": code, "message": msg, "status": status}
	if details != nil {
		e["details"] = details
	}
	writeJSON(w, code, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
