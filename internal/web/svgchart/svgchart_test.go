package svgchart

import (
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var day0 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func days(vals ...float64) []Point {
	pts := make([]Point, len(vals))
	for i, v := range vals {
		pts[i] = Point{T: day0.AddDate(0, 0, i), V: v}
	}
	return pts
}

// element is one parsed SVG element.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parse checks that s is well-formed XML and returns its elements in
// document order.
func parse(t *testing.T, s string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var out []element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := element{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
		case xml.CharData:
			if len(out) > 0 {
				out[len(out)-1].text += string(tk)
			}
		}
	}
	return out
}

func find(els []element, name, class string) []element {
	var out []element
	for _, e := range els {
		if e.name == name && (class == "" || e.attrs["class"] == class) {
			out = append(out, e)
		}
	}
	return out
}

func TestChartIsNamedAndDescribed(t *testing.T) {
	c := Chart{ID: "health <1>", Title: `Health & "trend"`, Desc: "From 50 to 61 <over> 90 days.", Points: days(50, 55, 61),
		Min: 0, Max: 100, Ticks: []Tick{{0, "0"}, {50, "50"}, {100, "100"}}}
	els := parse(t, string(c.SVG()))
	svg := els[0]
	if svg.name != "svg" || svg.attrs["role"] != "img" {
		t.Fatalf("root = %s role %q, want svg role=img", svg.name, svg.attrs["role"])
	}
	if got, want := svg.attrs["aria-labelledby"], "health1-title health1-desc"; got != want {
		t.Fatalf("aria-labelledby = %q, want %q", got, want)
	}
	title, desc := find(els, "title", ""), find(els, "desc", "")
	if len(title) != 1 || title[0].attrs["id"] != "health1-title" || title[0].text != `Health & "trend"` {
		t.Fatalf("title = %+v", title)
	}
	if len(desc) != 1 || desc[0].attrs["id"] != "health1-desc" || desc[0].text != "From 50 to 61 <over> 90 days." {
		t.Fatalf("desc = %+v", desc)
	}
	var labels []string
	for _, e := range find(els, "text", "") {
		labels = append(labels, e.text)
	}
	if got := strings.Join(labels, ","); got != "0,50,100,1 Sep,2 Sep,3 Sep" {
		t.Fatalf("labels = %s", got)
	}
}

var coord = regexp.MustCompile(`[ML](-?[\d.]+) (-?[\d.]+)`)

func pathPoints(t *testing.T, d string) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, m := range coord.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		out = append(out, [2]float64{x, y})
	}
	return out
}

func TestLineMapsValuesToTheDrawingArea(t *testing.T) {
	c := Chart{ID: "c", Points: days(0, 100, 50, 150, -20), Min: 0, Max: 100}
	lines := find(parse(t, string(c.SVG())), "path", "chart-line")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1", len(lines))
	}
	pts := pathPoints(t, lines[0].attrs["d"])
	bottomY, topY := Height-bottom, top
	want := [][2]float64{{left, bottomY}, {left + (Width-left-right)/4, topY}, {left + (Width-left-right)/2, (topY + bottomY) / 2},
		{left + 3*(Width-left-right)/4, topY}, {Width - right, bottomY}} // 150 and -20 are clamped
	if len(pts) != len(want) {
		t.Fatalf("points %v, want %v", pts, want)
	}
	for i := range want {
		if math.Abs(pts[i][0]-want[i][0]) > 0.1 || math.Abs(pts[i][1]-want[i][1]) > 0.1 {
			t.Errorf("point %d = %v, want %v", i, pts[i], want[i])
		}
	}
}

func TestLineBreaksAtGapsAndLeavesOutNaN(t *testing.T) {
	pts := []Point{{day0, 10}, {day0.AddDate(0, 0, 1), 20}, {day0.AddDate(0, 0, 2), math.NaN()}, {day0.AddDate(0, 0, 10), 30},
		{day0.AddDate(0, 0, 11), math.Inf(1)}, {day0.AddDate(0, 0, 20), 40}, {day0.AddDate(0, 0, 21), 50}}
	c := Chart{ID: "c", Points: pts, Min: 0, Max: 100, MaxGap: 3 * 24 * time.Hour}
	els := parse(t, string(c.SVG()))
	lines := find(els, "path", "chart-line")
	if len(lines) != 2 {
		t.Fatalf("%d line runs, want 2 (a lone point in between is a dot)", len(lines))
	}
	if n := len(pathPoints(t, lines[0].attrs["d"])); n != 2 {
		t.Fatalf("first run has %d points, want 2", n)
	}
	if n := len(find(els, "path", "chart-area")); n != 2 {
		t.Fatalf("%d areas, want 2", n)
	}
	// The lone point of day 10, plus the marker on the last point.
	if n := len(find(els, "circle", "chart-dot")); n != 2 {
		t.Fatalf("%d dots, want 2", n)
	}
}

func TestBarsStartAtTheBaselineClassedBySign(t *testing.T) {
	c := Chart{ID: "s", Kind: KindBars, Points: days(0.5, -0.5, 0), Min: -1, Max: 1, Baseline: 0}
	els := parse(t, string(c.SVG()))
	pos, neg := find(els, "rect", "chart-bar-pos"), find(els, "rect", "chart-bar-neg")
	if len(pos) != 2 || len(neg) != 1 {
		t.Fatalf("%d positive and %d negative bars, want 2 and 1", len(pos), len(neg))
	}
	mid := top + (Height-top-bottom)/2
	f := func(e element, a string) float64 { v, _ := strconv.ParseFloat(e.attrs[a], 64); return v }
	if y, h := f(pos[0], "y"), f(pos[0], "height"); math.Abs(y+h-mid) > 0.1 || math.Abs(h-(Height-top-bottom)/4) > 0.1 {
		t.Errorf("positive bar y=%v h=%v, want to end at the baseline %v and be a quarter high", y, h, mid)
	}
	if y := f(neg[0], "y"); math.Abs(y-mid) > 0.1 {
		t.Errorf("negative bar starts at %v, want the baseline %v", y, mid)
	}
	if h := f(pos[1], "height"); h <= 0 {
		t.Errorf("a zero value has no visible bar (height %v)", h)
	}
	for _, r := range append(pos, neg...) {
		if x, w := f(r, "x"), f(r, "width"); x < left || x+w > Width-right+0.1 || w < 1.5 {
			t.Errorf("bar x=%v w=%v outside the plot", x, w)
		}
	}
}

func TestEmptyAndSinglePointCharts(t *testing.T) {
	els := parse(t, string(Chart{ID: "e", Title: "Nothing yet", Min: 0, Max: 100}.SVG()))
	if len(find(els, "path", "")) != 0 || len(find(els, "rect", "")) != 0 {
		t.Fatal("an empty chart draws a series")
	}
	if find(els, "title", "")[0].text != "Nothing yet" {
		t.Fatal("an empty chart lost its name")
	}
	els = parse(t, string(Chart{ID: "one", Points: days(42), Min: 0, Max: 100}.SVG()))
	dots := find(els, "circle", "chart-dot")
	if len(dots) == 0 || dots[0].attrs["cx"] != num(left+(Width-left-right)/2) {
		t.Fatalf("a single point is not a centred dot: %+v", dots)
	}
	els = parse(t, string(Chart{ID: "one", Kind: KindBars, Points: days(0.3), Min: -1, Max: 1}.SVG()))
	if len(find(els, "rect", "chart-bar-pos")) != 1 {
		t.Fatal("a single bar is missing")
	}
}

func TestExplicitRangeAndLabels(t *testing.T) {
	c := Chart{ID: "r", Points: days(10, 20), Min: 0, Max: 100, From: day0.AddDate(0, 0, -2), To: day0.AddDate(0, 0, 2),
		XLabel: func(t time.Time) string { return t.Format("2006-01-02") }}
	els := parse(t, string(c.SVG()))
	pts := pathPoints(t, find(els, "path", "chart-line")[0].attrs["d"])
	if want := left + (Width-left-right)/2; math.Abs(pts[0][0]-want) > 0.1 {
		t.Errorf("the first point is at x=%v, want the middle %v of the given range", pts[0][0], want)
	}
	var labels []string
	for _, e := range find(els, "text", "") {
		labels = append(labels, e.text)
	}
	if got := strings.Join(labels, ","); got != "2026-08-30,2026-09-01,2026-09-03" {
		t.Fatalf("x labels = %s", got)
	}
}
