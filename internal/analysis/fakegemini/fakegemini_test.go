package fakegemini

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

const body = `{"contents":[{"role":"user","parts":[{"text":"<journal_entry>\nI feel so loved and grateful.\n</journal_entry>"}]}]}`

func call(t *testing.T, url, key string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/v1beta/models/gemini-x:generateContent", strings.NewReader(body))
	if key != "" {
		req.Header.Set("x-goog-api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp, out
}

func TestServerAnswersGenerateContentInTheWireFormat(t *testing.T) {
	fake := New(Options{APIKey: "k"})
	srv := httptest.NewServer(fake)
	defer srv.Close()

	resp, out := call(t, srv.URL, "k")
	cands, _ := out["candidates"].([]any)
	if resp.StatusCode != 200 || len(cands) != 1 || out["modelVersion"] != "gemini-x" {
		t.Fatalf("status %d, body %v", resp.StatusCode, out)
	}
	text := cands[0].(map[string]any)["content"].(map[string]any)["parts"].([]any)[0].(map[string]any)["text"].(string)
	var analysis struct{ SentimentScore float64 }
	if err := json.Unmarshal([]byte(text), &analysis); err != nil || analysis.SentimentScore <= 0 {
		t.Errorf("candidate text %q: %v", text, err)
	}

	resp, out = call(t, srv.URL, "")
	if resp.StatusCode != 403 || out["error"].(map[string]any)["status"] != "PERMISSION_DENIED" {
		t.Errorf("no key: %d %v", resp.StatusCode, out)
	}
	resp, out = call(t, srv.URL, "other")
	if resp.StatusCode != 400 || !strings.Contains(toJSON(out), "API_KEY_INVALID") {
		t.Errorf("wrong key: %d %v", resp.StatusCode, out)
	}
}

func TestRateLimitSendsRetryAfterHeaderAndRetryInfo(t *testing.T) {
	fake := New(Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.SetFault(RateLimit)
	resp, out := call(t, srv.URL, "any")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" ||
		!strings.Contains(toJSON(out), `"retryDelay":"7s"`) || !strings.Contains(toJSON(out), `"RESOURCE_EXHAUSTED"`) {
		t.Errorf("429: %d %q %v", resp.StatusCode, resp.Header.Get("Retry-After"), out)
	}
}

func TestFailRateIsReplayableFromItsSeed(t *testing.T) {
	run := func() []int {
		fake := New(Options{})
		srv := httptest.NewServer(fake)
		defer srv.Close()
		fake.FailRate(0.3, Error500, 7)
		var codes []int
		for range 30 {
			resp, _ := call(t, srv.URL, "any")
			codes = append(codes, resp.StatusCode)
		}
		if s := fake.Calls(); s.Total != 30 || s.Outcomes["error_500"]+s.Outcomes[OutcomeOK] != 30 ||
			s.Outcomes["error_500"] < 3 || s.Outcomes["error_500"] > 18 {
			t.Errorf("stats %+v", s)
		}
		return codes
	}
	if a, b := run(), run(); toJSON(a) != toJSON(b) {
		t.Errorf("same seed, different runs:\n%v\n%v", a, b)
	}
}

func TestControlEndpointsSetFaultsAndReportStats(t *testing.T) {
	fake := New(Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	post := func(q string) int {
		resp, err := http.Post(srv.URL+"/_fake/fault?"+q, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("mode=error_503&n=2"); code != 200 {
		t.Fatalf("set fault: %d", code)
	}
	var codes []int
	for range 3 {
		resp, _ := call(t, srv.URL, "any")
		codes = append(codes, resp.StatusCode)
	}
	if toJSON(codes) != "[503,503,200]" {
		t.Errorf("codes = %v", codes)
	}
	for _, bad := range []string{"mode=earthquake", "mode=slow&delay=soon", "mode=error_500&rate=2", "mode=error_500&n=-1"} {
		if code := post(bad); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	resp, err := http.Get(srv.URL + "/_fake/stats")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"total":3,"outcomes":{"error_503":2,"ok":1}}`+"\n" {
		t.Errorf("stats = %s", b)
	}
}

func TestCloseReleasesHangingCalls(t *testing.T) {
	fake := New(Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.SetFault(Timeout)
	done := make(chan int)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1beta/models/m:generateContent", strings.NewReader(body))
		req.Header.Set("x-goog-api-key", "any")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// The call is counted once the handler has picked its fault; wait for that
	// without sleeping by polling the counter under the server's lock.
	for fake.Calls().Total == 0 {
		select {
		case code := <-done:
			t.Fatalf("answered %d before Close", code)
		default:
			runtime.Gosched()
		}
	}
	fake.Close()
	if code := <-done; code != http.StatusGatewayTimeout {
		t.Errorf("status %d, want 504", code)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
