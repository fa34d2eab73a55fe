package offline

import (
	"sync"
	"testing"
)

// entry150 is a realistic 150-word journal entry.
const entry150 = `Tonight was hard. I tried to tell Sam about the meeting with my manager, but he kept
scrolling on his phone and barely looked up. I told him I feel lonely when he does that,
and he got defensive and said it wasn't his fault that work has been crazy. We argued for
a while about the dishes and the bills, the same old fight. Then he went quiet and left the
room. I took a break, went for a walk to calm down, and called my sister. When I came back
he apologized and said he should have listened. We made up on the couch and he held my
hand. I'm grateful that we can repair things, but I wish we didn't always end up here. We
talked about planning a trip together in the spring, just the two of us, and that felt good.
Maybe next week will be better for both of us.`

func BenchmarkAnalyze150Words(b *testing.B) {
	a := New()
	b.ReportAllocs()
	b.SetBytes(int64(len(entry150)))
	for b.Loop() {
		a.Analyze(entry150)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New()
	}
}

func TestAnalyzerIsSafeForConcurrentUse(t *testing.T) {
	want := shared.Analyze(entry150)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := shared.Analyze(entry150); got.SentimentScore != want.SentimentScore || got.Reasoning != want.Reasoning {
					t.Errorf("concurrent result differs: %+v", got)
				}
			}
		})
	}
	wg.Wait()
}
