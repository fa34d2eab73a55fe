package web

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/web/svgchart"
)

// The live regions shared by the dashboard and the relationship page. Each
// region's template (templates/regions.html) renders one element carrying
// its data-live-* attributes, so the page and its fragment URL render it
// the same way.

// healthRegion is the health cards.
type healthRegion struct {
	Src   string // the fragment URL
	Rel   string // the relationship it is limited to ("" for all)
	Cards []healthCard
	// Single is the relationship page's one card (with the factor
	// explanations spelled out).
	Single bool
}

// healthCard is one relationship's current score in words.
type healthCard struct {
	Rel store.Relationship
	// Has is false until the relationship has an analysed entry.
	Has        bool
	Score      int
	Reading    string // "Your recent entries read mostly warm"
	Factors    []factorView
	Trend      trendView
	Confidence string
	ConfPct    int
	Method     string
	Entries    int
	AsOf       time.Time
	Loc        *time.Location
	Now        time.Time
}

type factorView struct {
	Key, Label string
	Value      int
	About      string
}

type trendView struct {
	Dir     string // improving, stable, declining
	Arrow   string // ↗ → ↘ (decorative)
	Label   string
	Explain string
}

var factorWords = map[string][2]string{
	insight.FactorCommunication:      {"Communication", "how talking and listening come across"},
	insight.FactorEmotionalSupport:   {"Emotional support", "feeling cared for and turned towards"},
	insight.FactorConflictResolution: {"Conflict resolution", "how disagreements go and get repaired"},
	insight.FactorTrustIntimacy:      {"Trust and closeness", "honesty, reliability and closeness"},
	insight.FactorSharedGrowth:       {"Shared growth", "plans, time together and growing as a team"},
}

// reading puts a score into words, as a reflection of the entries (never
// a verdict on the relationship).
func reading(score int) string {
	switch {
	case score >= 70:
		return "Your recent entries read warm"
	case score >= 58:
		return "Your recent entries read mostly positive"
	case score >= 45:
		return "Your recent entries read mixed"
	case score >= 32:
		return "Your recent entries read strained"
	default:
		return "Your recent entries read heavy"
	}
}

func trendOf(dir string) trendView {
	switch dir {
	case insight.TrendImproving:
		return trendView{Dir: dir, Arrow: "↗", Label: "Improving", Explain: "The last 30 days read warmer than the three months before."}
	case insight.TrendDeclining:
		return trendView{Dir: dir, Arrow: "↘", Label: "Declining", Explain: "The last 30 days read cooler than the three months before."}
	}
	return trendView{Dir: insight.TrendStable, Arrow: "→", Label: "Steady", Explain: "No clear change between the last 30 days and the three months before."}
}

func confidenceWords(c float64) string {
	switch {
	case c >= 0.6:
		return "High confidence"
	case c >= 0.3:
		return "Moderate confidence"
	}
	return "Low confidence: a few more entries will firm it up"
}

func methodWords(m string) string {
	switch m {
	case insight.MethodFullAI:
		return "From AI analyses of your entries"
	case insight.MethodPartial:
		return "From a mix of AI and built-in analyses"
	}
	return "From Resonant's built-in analyzer (nothing sent anywhere)"
}

func cardOf(rel store.Relationship, h *store.HealthScore, p *page) healthCard {
	c := healthCard{Rel: rel, Loc: p.Loc, Now: p.Now}
	if h == nil {
		return c
	}
	c.Has, c.Score, c.Reading = true, h.Score, reading(h.Score)
	for _, f := range insight.Factors {
		v, ok := h.FactorBreakdown[f]
		if !ok {
			continue
		}
		c.Factors = append(c.Factors, factorView{Key: f, Label: factorWords[f][0], About: factorWords[f][1], Value: v})
	}
	c.Trend = trendOf(h.TrendDirection)
	c.Confidence, c.ConfPct = confidenceWords(h.Confidence), int(h.Confidence*100+0.5)
	c.Method = methodWords(h.CalculationMethod)
	c.Entries, c.AsOf = h.EntryCount, h.AsOf
	return c
}

// healthCards is one card per relationship, in the relationships' order.
func healthCards(rels []store.Relationship, scores []store.HealthScore, p *page) []healthCard {
	byRel := make(map[string]*store.HealthScore, len(scores))
	for i := range scores {
		byRel[scores[i].RelationshipID] = &scores[i]
	}
	cards := make([]healthCard, len(rels))
	for i, r := range rels {
		cards[i] = cardOf(r, byRel[r.ID], p)
	}
	return cards
}

// trendsRegion is the health and tone charts with their data tables.
type trendsRegion struct {
	Src    string
	Rel    string
	ID     string // prefixes the charts' element ids
	Charts trendChartsView
}

type trendChartsView struct {
	Days int
	// Since is the first day shown when the journal is younger than Days
	// (the axis starts there), "" otherwise.
	Since                     string
	Scope                     string // "your relationships" or a name
	Health                    template.HTML
	Sentiment                 template.HTML
	HealthRows, SentimentRows []trendRow
	Empty                     bool
}

type trendRow struct {
	Date  string
	Value string
	Extra string
}

// trendCharts draws the trends of the last days local days.
func trendCharts(id string, tr insight.Trends, p *page, days int, name string) trendChartsView {
	v := trendChartsView{Days: days, Scope: "your relationships", Empty: len(tr.Health) == 0 && len(tr.Sentiment) == 0}
	if name != "" {
		v.Scope = name
	}
	first, _ := insight.TrendRange(p.Now, p.Loc, days)
	// A journal younger than the range starts the axis at its first day.
	if start, ok := firstTrendDay(tr, p.Loc); ok && start.After(first) {
		first = start
		v.Since = start.Format("Mon 2 Jan 2006")
	}
	period := fmt.Sprintf("last %d days", days)
	if v.Since != "" {
		period = "since " + first.Format("2 Jan 2006")
	}
	today := p.Now.In(p.Loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, p.Loc)
	label := func(t time.Time) string { return t.Format("2 Jan") }
	long := func(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

	var hp []svgchart.Point
	lo, hi := 101, -1
	var loDay, hiDay time.Time
	for _, h := range tr.Health {
		t, ok := localDay(h.Date, p.Loc)
		if !ok {
			continue
		}
		hp = append(hp, svgchart.Point{T: t, V: float64(h.Score)})
		if h.Score < lo {
			lo, loDay = h.Score, t
		}
		if h.Score > hi {
			hi, hiDay = h.Score, t
		}
		v.HealthRows = append(v.HealthRows, trendRow{Date: long(t), Value: fmt.Sprint(h.Score)})
	}
	hdesc := "No health score in this period yet."
	if len(hp) > 0 {
		firstP, lastP := tr.Health[0], tr.Health[len(tr.Health)-1]
		hdesc = fmt.Sprintf("Health score out of 100, day by day: %d on %s and %d on %s; lowest %d (%s), highest %d (%s).",
			firstP.Score, long(hp[0].T), lastP.Score, long(hp[len(hp)-1].T), lo, label(loDay), hi, label(hiDay))
	}
	v.Health = svgchart.Chart{ID: id + "-health", Title: fmt.Sprintf("Health score, %s, %s", v.Scope, period), Desc: hdesc,
		Kind: svgchart.KindLine, Class: "chart-health", Points: hp, Min: 0, Max: 100, From: first, To: today, MaxGap: 36 * time.Hour,
		Ticks:  []svgchart.Tick{{V: 0, Label: "0"}, {V: 25, Label: "25"}, {V: 50, Label: "50"}, {V: 75, Label: "75"}, {V: 100, Label: "100"}},
		XLabel: label}.SVG()

	var sp []svgchart.Point
	pos, neg := 0, 0
	for _, s := range tr.Sentiment {
		t, ok := localDay(s.Date, p.Loc)
		if !ok {
			continue
		}
		sp = append(sp, svgchart.Point{T: t, V: s.Value})
		switch {
		case s.Value >= 0.15:
			pos++
		case s.Value <= -0.15:
			neg++
		}
		v.SentimentRows = append(v.SentimentRows, trendRow{Date: long(t), Value: fmt.Sprintf("%+.2f (%s)", s.Value, tone(s.Value)),
			Extra: fmt.Sprintf("%d%%", int(s.Confidence*100+0.5))})
	}
	sdesc := "No analysed entries in this period yet."
	if len(sp) > 0 {
		sdesc = fmt.Sprintf("Tone of each day's entries from −1 (heavy) to +1 (warm): %d days with entries, %d leaning positive, %d leaning negative.",
			len(sp), pos, neg)
	}
	v.Sentiment = svgchart.Chart{ID: id + "-tone", Title: fmt.Sprintf("Tone of your entries, %s, %s", v.Scope, period), Desc: sdesc,
		Kind: svgchart.KindBars, Class: "chart-tone", Points: sp, Min: -1, Max: 1, Baseline: 0, From: first, To: today,
		Ticks:  []svgchart.Tick{{V: -1, Label: "−1"}, {V: -0.5, Label: "−0.5"}, {V: 0, Label: "0"}, {V: 0.5, Label: "+0.5"}, {V: 1, Label: "+1"}},
		XLabel: label}.SVG()
	return v
}

// firstTrendDay is the earliest day either series has a point on.
func firstTrendDay(tr insight.Trends, loc *time.Location) (time.Time, bool) {
	var first time.Time
	for _, d := range []string{firstDate(tr.Health, func(h insight.HealthPoint) string { return h.Date }),
		firstDate(tr.Sentiment, func(s insight.SentimentPoint) string { return s.Date })} {
		if t, ok := localDay(d, loc); ok && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first, !first.IsZero()
}

func firstDate[T any](points []T, date func(T) string) string {
	if len(points) == 0 {
		return ""
	}
	return date(points[0])
}

// insightsRegion is the active insights and, when the user has the flag,
// the conversation starters.
type insightsRegion struct {
	Src   string
	Rel   string
	Items []insightView
	// More are the insights beyond the first few, behind a disclosure.
	More     []insightView
	Starters []insightView
	// ShowStarters is the conversationStarters flag.
	ShowStarters bool
}

type insightView struct {
	In       store.Insight
	RelName  string
	Evidence []string // entry ids
	Next     string   // where the dismiss form returns to
	Loc      *time.Location
	Now      time.Time
}

// Up to shownInsights insights and maxStarters conversation starters are
// shown at once; the other insights are behind a disclosure.
const (
	shownInsights = 4
	maxStarters   = 3
)

// insightList splits insights (of relationship rel, or all when "") into
// the insights and the conversation starters.
func insightList(src, rel string, ins []store.Insight, names map[string]string, p *page, next string) insightsRegion {
	reg := insightsRegion{Src: src, Rel: rel, ShowStarters: p.User.FeatureFlags.ConversationStarters}
	for _, in := range ins {
		if rel != "" && in.RelationshipID != rel {
			continue
		}
		v := insightView{In: in, RelName: names[in.RelationshipID], Evidence: in.EvidenceEntryIDs, Next: next, Loc: p.Loc, Now: p.Now}
		switch {
		case in.Kind == insight.KindConversationStarter:
			if reg.ShowStarters && len(reg.Starters) < maxStarters {
				reg.Starters = append(reg.Starters, v)
			}
		case len(reg.Items) < shownInsights:
			reg.Items = append(reg.Items, v)
		default:
			reg.More = append(reg.More, v)
		}
	}
	return reg
}

// recentRegion is the recent entries with their status badges.
type recentRegion struct {
	Src   string
	Rel   string
	Items []entryItem
	More  bool
	// MoreURL lists every entry (of the relationship).
	MoreURL string
}

// renderFragment writes one named template of view alone: a live region
// for live.js to put in place of the one on the page.
func (w *Web) renderFragment(rw http.ResponseWriter, r *http.Request, view, name string, data any) {
	b, err := w.views.renderTemplate(view, name, data)
	if err != nil {
		w.log.ErrorContext(r.Context(), "render fragment", slog.String("view", view), slog.String("fragment", name), slog.Any("err", err))
		http.Error(rw, "This part of the page could not be shown because of a fault on our side.", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "X-Resonant-Fragment")
	rw.WriteHeader(http.StatusOK)
	_, _ = b.WriteTo(rw)
}
