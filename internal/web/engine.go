package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"strings"
	"sync"
	"time"
)

//go:embed templates
var templateFiles embed.FS

// engine holds one template per view: the layout and partials
// (templates/*.html) with the view (templates/views/NAME.html) on top.
//
// Every view is parsed at start-up, so a broken template stops the server
// there, but what a view keeps is built at its first render: each view
// carries its own copy of the layout and every partial, 2.5 MiB of parse
// trees for all of them, which a fresh server (budget: 30 MiB resident)
// should not hold before anyone has asked for a page.
type engine struct {
	base  *template.Template // layout and partials, never executed (Clone needs that)
	mu    sync.Mutex         // serialises building views from base
	views map[string]*view
}

// view is one page's template, built once.
type view struct {
	file string
	once sync.Once
	t    *template.Template
	err  error
}

// template returns the view's template, building it at the first call.
func (e *engine) template(name string) (*template.Template, error) {
	v, ok := e.views[name]
	if !ok {
		return nil, fmt.Errorf("no view %q", name)
	}
	v.once.Do(func() { v.t, v.err = e.build(v.file) })
	return v.t, v.err
}

// build parses one view file over a copy of the layout and partials.
func (e *engine) build(file string) (*template.Template, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.base.Clone()
	if err != nil {
		return nil, err
	}
	if t, err = t.ParseFS(templateFiles, file); err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	return t, nil
}

func newEngine(a *assets) (*engine, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"dict":  dict,
		"when":  when,
		"date":  func(loc *time.Location, t time.Time) string { return t.In(loc).Format("Mon 2 Jan 2006") },
		"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
		"pct":   func(f float64) int { return int(math.Round(f * 100)) },
		"signed": func(f float64) string {
			return fmt.Sprintf("%+.2f", f)
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return fmt.Sprintf("%d %s", n, one)
			}
			return fmt.Sprintf("%d %s", n, many)
		},
		"inc":               func(i int) int { return i + 1 },
		"humanize":          func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		"join":              strings.Join,
		"tone":              tone,
		"timezones":         func() []string { return commonTimezones },
		"relationshipKinds": func() []string { return relationshipKinds },
	}
	base := template.New("base").Funcs(funcs)
	partials, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if base, err = base.ParseFS(templateFiles, partials...); err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	views, err := fs.Glob(templateFiles, "templates/views/*.html")
	if err != nil {
		return nil, err
	}
	e := &engine{base: base, views: map[string]*view{}}
	for _, v := range views {
		// Parsed now to fail fast, and dropped: the first render builds it again.
		if _, err := e.build(v); err != nil {
			return nil, err
		}
		e.views[strings.TrimSuffix(strings.TrimPrefix(v, "templates/views/"), ".html")] = &view{file: v}
	}
	return e, nil
}

// render executes view into a buffer, so a template error becomes a clean
// error page instead of half a page.
func (e *engine) render(view string, p *page) (*bytes.Buffer, error) {
	t, err := e.template(view)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", view, err)
	}
	return &b, nil
}

// renderTemplate executes one named template of view (a page fragment)
// into a buffer.
func (e *engine) renderTemplate(view, name string, data any) (*bytes.Buffer, error) {
	t, err := e.template(view)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("render %s/%s: %w", view, name, err)
	}
	return &b, nil
}

// dict builds a map for passing several values to a partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict needs key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// when formats t in the reader's time zone, relative when recent.
func when(loc *time.Location, t time.Time, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return t.In(loc).Format("2 Jan 2006, 15:04")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n := int(d / time.Minute)
		if n == 1 {
			return "1 minute ago"
		}
		return fmt.Sprintf("%d minutes ago", n)
	case d < 12*time.Hour:
		n := int(d / time.Hour)
		if n == 1 {
			return "1 hour ago"
		}
		return fmt.Sprintf("%d hours ago", n)
	}
	lt := t.In(loc)
	if lt.Year() == now.In(loc).Year() {
		return lt.Format("Mon 2 Jan, 15:04")
	}
	return lt.Format("2 Jan 2006, 15:04")
}

// tone puts a sentiment score (-1 to 1) into words.
func tone(score float64) string {
	switch {
	case score >= 0.5:
		return "Warm and positive"
	case score >= 0.15:
		return "Leaning positive"
	case score > -0.15:
		return "Mixed or neutral"
	case score > -0.5:
		return "Leaning negative"
	default:
		return "Heavy and negative"
	}
}

// commonTimezones are offered as suggestions; any IANA name is accepted.
var commonTimezones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Stockholm", "Europe/Oslo",
	"Europe/Copenhagen", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Vienna", "Europe/Athens",
	"Europe/Bucharest", "Europe/Istanbul", "Europe/Kyiv", "Europe/Moscow", "Africa/Cairo", "Africa/Lagos",
	"Africa/Nairobi", "Africa/Johannesburg", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka",
	"Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei",
	"Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide", "Australia/Sydney", "Pacific/Auckland",
	"America/St_Johns", "America/Halifax", "America/New_York", "America/Toronto", "America/Chicago",
	"America/Mexico_City", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Vancouver",
	"America/Anchorage", "Pacific/Honolulu", "America/Bogota", "America/Lima", "America/Santiago",
	"America/Argentina/Buenos_Aires", "America/Sao_Paulo",
}
