package insight

import (
	"math"
	"time"
)

// Trend ranges (?days=).
const (
	DefaultTrendDays = 90
	MaxTrendDays     = 365
)

// SentimentPoint is one local day's mean sentiment ([-1, 1]) and the mean
// confidence of the analyses behind it.
type SentimentPoint struct {
	Date       string  `json:"date"`
	Value      float64 `json:"value"`
	Confidence float64 `json:"confidence"`
}

// HealthPoint is the health score as of the end of one local day.
type HealthPoint struct {
	Date  string `json:"date"`
	Score int    `json:"score"`
}

// Trends is sentiment and health over time in daily buckets.
type Trends struct {
	Sentiment []SentimentPoint `json:"sentiment"`
	Health    []HealthPoint    `json:"health"`
}

// TrendRange is the first local day shown and the instant the evidence
// must reach back to (a score as of that day rests on Window before it).
func TrendRange(now time.Time, loc *time.Location, days int) (firstDay, evidenceSince time.Time) {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	firstDay = today.AddDate(0, 0, -(days - 1))
	return firstDay, firstDay.Add(-Window)
}

// ComputeTrends buckets ev (newest first) into the days local days ending
// today in loc. Sentiment points exist for days with entries; health points
// for every day on which at least one relationship has a score, which is
// the mean over relationships of each one's score as of the end of that
// day (computed by the same formula as the stored scores, so a chart never
// disagrees with a card).
func ComputeTrends(ev []Evidence, loc *time.Location, now time.Time, days int) Trends {
	firstDay, _ := TrendRange(now, loc, days)
	tr := Trends{Sentiment: []SentimentPoint{}, Health: []HealthPoint{}}

	// Sentiment: ev is newest first; walk it oldest first.
	type acc struct{ sum, conf float64 }
	var cur string
	var a acc
	var n int
	flush := func() {
		if n > 0 {
			tr.Sentiment = append(tr.Sentiment, SentimentPoint{Date: cur, Value: round3(a.sum / float64(n)), Confidence: round3(a.conf / float64(n))})
		}
	}
	for i := len(ev) - 1; i >= 0; i-- {
		e := ev[i]
		if e.WrittenAt.Before(firstDay) {
			continue
		}
		d := e.WrittenAt.In(loc).Format(time.DateOnly)
		if d != cur {
			flush()
			cur, a, n = d, acc{}, 0
		}
		a.sum += clampSentiment(e.Sentiment)
		a.conf += clamp01(e.Confidence)
		n++
	}
	flush()

	// Health: per relationship, the score changes only on days with an
	// entry; other days carry the last one forward.
	byRel := map[string][]Evidence{}
	var order []string
	for _, e := range ev {
		if _, ok := byRel[e.RelationshipID]; !ok {
			order = append(order, e.RelationshipID)
		}
		byRel[e.RelationshipID] = append(byRel[e.RelationshipID], e)
	}
	type relState struct {
		ev    []Evidence
		score int
		has   bool
	}
	states := make([]relState, len(order))
	for i, id := range order {
		states[i].ev = byRel[id]
	}
	for day := firstDay; !day.After(now); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1).Add(-time.Nanosecond)
		start := day
		sum, count := 0, 0
		for i := range states {
			st := &states[i]
			if !st.has || wroteBetween(st.ev, start, end) || day.Equal(firstDay) {
				if s, ok := Compute(Select(st.ev, end)); ok {
					st.score, st.has = s.Score, true
				}
			}
			if st.has {
				sum += st.score
				count++
			}
		}
		if count > 0 {
			tr.Health = append(tr.Health, HealthPoint{Date: day.Format(time.DateOnly), Score: int(math.Round(float64(sum) / float64(count)))})
		}
	}
	return tr
}

// wroteBetween reports whether ev (newest first) has an entry in [from, to].
func wroteBetween(ev []Evidence, from, to time.Time) bool {
	for _, e := range ev {
		if e.WrittenAt.After(to) {
			continue
		}
		return !e.WrittenAt.Before(from)
	}
	return false
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
