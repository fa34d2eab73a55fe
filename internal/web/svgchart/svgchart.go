// Package svgchart draws small time-series charts as inline SVG on the
// server, so a page shows its charts without any script in the browser.
//
// A chart is an <svg role="img"> named by its <title> and described by its
// <desc> (aria-labelledby points at both); colours come from CSS classes
// (the page's stylesheet), so light and dark themes apply without inline
// styles, which the CSP forbids. The caller pairs every chart with a data
// table for people who cannot see it.
package svgchart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is how the values are drawn.
type Kind int

const (
	// KindLine joins the points with a line and shades the area under it.
	KindLine Kind = iota
	// KindBars draws one bar per point from the baseline (for values that
	// are positive or negative, like sentiment).
	KindBars
)

// Point is one value at one time.
type Point struct {
	T time.Time
	V float64
}

// Tick is a horizontal grid line with its label.
type Tick struct {
	V     float64
	Label string
}

// Chart is one series over time.
type Chart struct {
	// ID prefixes the ids of the title and description (unique in the page).
	ID string
	// Title is the accessible name; Desc says what the chart shows in words.
	Title, Desc string
	Kind        Kind
	// Class is added to the <svg> (e.g. "chart-health"), for the colours.
	Class string
	// Points in time order. NaN and infinite values are left out.
	Points []Point
	// Min and Max are the value range of the y axis; values outside are
	// clamped to it.
	Min, Max float64
	// Baseline is where bars start (e.g. 0 for sentiment); ignored by lines.
	Baseline float64
	// Ticks are the grid lines.
	Ticks []Tick
	// From and To are the time range of the x axis; zero means the first
	// and last point.
	From, To time.Time
	// MaxGap breaks the line where two points are further apart (no data
	// in between); 0 never breaks it.
	MaxGap time.Duration
	// XLabel formats the dates under the axis (first, middle, last);
	// nil means "2 Jan".
	XLabel func(time.Time) string
}

// Geometry of the drawing (in SVG user units; the SVG scales to its box).
const (
	Width  = 480
	Height = 210
	left   = 40.0
	right  = 10.0
	top    = 12.0
	bottom = 30.0
)

// plot maps values to the drawing area.
type plot struct {
	c        *Chart
	from, to time.Time
}

func (p plot) x(t time.Time) float64 {
	span := p.to.Sub(p.from)
	if span <= 0 {
		return left + (Width-left-right)/2
	}
	f := float64(t.Sub(p.from)) / float64(span)
	return left + f*(Width-left-right)
}

func (p plot) y(v float64) float64 {
	lo, hi := p.c.Min, p.c.Max
	if hi <= lo {
		hi = lo + 1
	}
	v = max(lo, min(hi, v))
	return top + (hi-v)/(hi-lo)*(Height-top-bottom)
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// SVG renders the chart.
func (c Chart) SVG() template.HTML {
	pts := make([]Point, 0, len(c.Points))
	for _, pt := range c.Points {
		if !math.IsNaN(pt.V) && !math.IsInf(pt.V, 0) {
			pts = append(pts, pt)
		}
	}
	p := plot{c: &c, from: c.From, to: c.To}
	if len(pts) > 0 {
		if p.from.IsZero() {
			p.from = pts[0].T
		}
		if p.to.IsZero() {
			p.to = pts[len(pts)-1].T
		}
	}
	id := sanitizeID(c.ID)
	var b strings.Builder
	class := "chart"
	if c.Class != "" {
		class += " " + c.Class
	}
	fmt.Fprintf(&b, `<svg class="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		esc(class), Width, Height, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))

	// Grid and labels.
	b.WriteString(`<g class="chart-grid">`)
	for _, t := range c.Ticks {
		y := num(p.y(t.V))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(left), num(Width-right), y, y)
	}
	b.WriteString(`</g><g class="chart-label">`)
	for _, t := range c.Ticks {
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, num(left-6), num(p.y(t.V)), esc(t.Label))
	}
	if len(pts) > 0 {
		label := c.XLabel
		if label == nil {
			label = func(t time.Time) string { return t.Format("2 Jan") }
		}
		y := num(Height - bottom + 20)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="start">%s</text>`, num(left), y, esc(label(p.from)))
		if p.to.Sub(p.from) >= 48*time.Hour {
			mid := p.from.Add(p.to.Sub(p.from) / 2)
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(p.x(mid)), y, esc(label(mid)))
		}
		if p.to.After(p.from) {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, num(Width-right), y, esc(label(p.to)))
		}
	}
	b.WriteString(`</g>`)

	switch {
	case len(pts) == 0:
	case c.Kind == KindBars:
		c.bars(&b, p, pts)
	default:
		c.line(&b, p, pts)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text is escaped above; the rest is numbers
}

// line draws the series as runs of a path (a new run after a gap), each
// with the area under it; a run of one point is a dot.
func (c Chart) line(b *strings.Builder, p plot, pts []Point) {
	var runs [][]Point
	start := 0
	for i := 1; i <= len(pts); i++ {
		if i == len(pts) || (c.MaxGap > 0 && pts[i].T.Sub(pts[i-1].T) > c.MaxGap) {
			runs = append(runs, pts[start:i])
			start = i
		}
	}
	floor := num(p.y(c.Min))
	b.WriteString(`<g class="chart-series">`)
	for _, run := range runs {
		if len(run) == 1 {
			fmt.Fprintf(b, `<circle class="chart-dot" cx="%s" cy="%s" r="3.5"/>`, num(p.x(run[0].T)), num(p.y(run[0].V)))
			continue
		}
		var d strings.Builder
		for i, pt := range run {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%s %s", cmd, num(p.x(pt.T)), num(p.y(pt.V)))
		}
		fmt.Fprintf(b, `<path class="chart-area" d="%sL%s %sL%s %sZ"/>`, d.String(), num(p.x(run[len(run)-1].T)), floor, num(p.x(run[0].T)), floor)
		fmt.Fprintf(b, `<path class="chart-line" d="%s"/>`, d.String())
	}
	last := pts[len(pts)-1]
	fmt.Fprintf(b, `<circle class="chart-dot" cx="%s" cy="%s" r="4"/>`, num(p.x(last.T)), num(p.y(last.V)))
	b.WriteString(`</g>`)
}

// bars draws one bar per point from the baseline, classed by sign.
func (c Chart) bars(b *strings.Builder, p plot, pts []Point) {
	// A bar is as wide as the closest pair of points allows (one day on a
	// daily series), between 1.5 and 12 units.
	w := 12.0
	if span := p.to.Sub(p.from); span > 0 {
		minGap := time.Duration(math.MaxInt64)
		for i := 1; i < len(pts); i++ {
			if g := pts[i].T.Sub(pts[i-1].T); g > 0 && g < minGap {
				minGap = g
			}
		}
		if minGap != time.Duration(math.MaxInt64) {
			w = max(1.5, min(12, 0.8*float64(minGap)/float64(span)*(Width-left-right)))
		}
	}
	base := p.y(c.Baseline)
	fmt.Fprintf(b, `<line class="chart-baseline" x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(left), num(Width-right), num(base), num(base))
	b.WriteString(`<g class="chart-series">`)
	for _, pt := range pts {
		y := p.y(pt.V)
		y0, h := min(y, base), math.Abs(y-base)
		if h < 1.5 {
			h = 1.5 // a value at the baseline still shows a sliver
			y0 = base - 0.75
		}
		class := "chart-bar-pos"
		if pt.V < c.Baseline {
			class = "chart-bar-neg"
		}
		x := max(left, min(Width-right-w, p.x(pt.T)-w/2))
		fmt.Fprintf(b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s"/>`, class, num(x), num(y0), num(w), num(h))
	}
	b.WriteString(`</g>`)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// sanitizeID keeps letters, digits, '-' and '_' (an id that needs no
// escaping in an attribute or an aria-labelledby list).
func sanitizeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return b.String()
}
