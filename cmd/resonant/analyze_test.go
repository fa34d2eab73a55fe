package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestAnalyzeWritesOneScorePerInputLine(t *testing.T) {
	in := "We got engaged today!\nHe forgot our anniversary again.\n\nI bought milk.\n"
	var out, errOut bytes.Buffer
	if err := runAnalyze(context.Background(), []string{"--format=score"}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatalf("runAnalyze: %v (stderr %q)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines for 4 inputs: %q", len(lines), out.String())
	}
	var scores []float64
	for _, l := range lines {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil || v < -1 || v > 1 {
			t.Fatalf("line %q is not a score in [-1, 1]", l)
		}
		if i := strings.IndexByte(l, '.'); i < 0 || len(l)-i-1 != 4 {
			t.Errorf("line %q should have four decimals", l)
		}
		scores = append(scores, v)
	}
	if scores[0] <= 0.05 || scores[1] >= -0.05 || scores[2] != 0 || scores[3] != 0 {
		t.Errorf("scores %v: want positive, negative, neutral, neutral", scores)
	}
}

func TestAnalyzeWritesFullJSONByDefault(t *testing.T) {
	var out bytes.Buffer
	in := "Thank you for listening to me tonight, I feel so much closer to you.\n"
	if err := runAnalyze(context.Background(), nil, strings.NewReader(in), &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var r struct {
		SentimentScore    float64  `json:"sentimentScore"`
		EmotionalKeywords []string `json:"emotionalKeywords"`
		ConfidenceLevel   float64  `json:"confidenceLevel"`
		Reasoning         string   `json:"reasoning"`
		Patterns          struct {
			RecurringThemes      []string `json:"recurring_themes"`
			EmotionalTriggers    []string `json:"emotional_triggers"`
			CommunicationStyle   string   `json:"communication_style"`
			RelationshipDynamics []string `json:"relationship_dynamics"`
		} `json:"patterns"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q is not one JSON result: %v", out.String(), err)
	}
	if r.SentimentScore <= 0 || r.Reasoning == "" || r.Patterns.CommunicationStyle == "" ||
		r.EmotionalKeywords == nil || r.Patterns.RelationshipDynamics == nil {
		t.Errorf("incomplete result: %+v", r)
	}
}

func TestAnalyzeRejectsUnknownFormat(t *testing.T) {
	err := runAnalyze(context.Background(), []string{"--format=xml"}, strings.NewReader("hi\n"), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "xml") {
		t.Fatalf("err = %v, want unknown format error", err)
	}
}

func TestAnalyzeAcceptsLongLines(t *testing.T) {
	in := strings.Repeat("we laughed together ", 20000) + "\n" // ~400 KB, past bufio's default
	var out bytes.Buffer
	if err := runAnalyze(context.Background(), []string{"--format=score"}, strings.NewReader(in), &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("want one line, got %q", out.String())
	}
}

// TestAnalyzeGoesOnPastAnOverlongLine: a line over the limit used to stop
// the run with "bufio.Scanner: token too long", dropping every later line.
func TestAnalyzeGoesOnPastAnOverlongLine(t *testing.T) {
	// "é" is two bytes and the limit is even, so an odd prefix makes the
	// cut fall inside a character.
	long := "x" + strings.Repeat("é", maxAnalyzeLine) // 2 MiB + 1 byte
	in := "We got engaged today!\r\n" + long + "\nHe forgot our anniversary again.\n" + long
	var out, errOut bytes.Buffer
	if err := runAnalyze(context.Background(), []string{"--format=score"}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatalf("runAnalyze: %v (stderr %q)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d results for 4 lines: %q", len(lines), out.String())
	}
	if lines[0] != scoreOf(t, "We got engaged today!") || lines[2] != scoreOf(t, "He forgot our anniversary again.") {
		t.Errorf("results %q: the lines around the long one must be analysed as usual", lines)
	}
	wantErr := fmt.Sprintf("resonant analyze: line 2 is %d bytes, over the %d-byte limit; analysed its first %d bytes\n"+
		"resonant analyze: line 4 is %d bytes, over the %d-byte limit; analysed its first %d bytes\n",
		len(long), maxAnalyzeLine, maxAnalyzeLine-1, len(long), maxAnalyzeLine, maxAnalyzeLine-1)
	if errOut.String() != wantErr {
		t.Errorf("stderr = %q, want %q", errOut.String(), wantErr)
	}
}

func TestReadLineCutsAtACharacterBoundary(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  []string
		sizes []int
	}{
		{"abc\ndef", 10, []string{"abc", "def"}, []int{3, 3}},
		{"abc\r\n\n", 10, []string{"abc", ""}, []int{3, 0}},
		{"abcdef\nxy\n", 4, []string{"abcd", "xy"}, []int{6, 2}},
		{"aéé\n", 2, []string{"a"}, []int{5}},
		{"a😀b\n", 4, []string{"a"}, []int{6}},
		{"a😀b\n", 5, []string{"a😀"}, []int{6}},
		{"", 4, nil, nil},
	} {
		rd := bufio.NewReaderSize(strings.NewReader(tc.in), 16)
		var got []string
		var sizes []int
		for {
			line, size, err := readLine(rd, nil, tc.limit)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got, sizes = append(got, string(line)), append(sizes, size)
		}
		if !slices.Equal(got, tc.want) || !slices.Equal(sizes, tc.sizes) {
			t.Errorf("readLine(%q, %d) = %q %v, want %q %v", tc.in, tc.limit, got, sizes, tc.want, tc.sizes)
		}
	}
}

func scoreOf(t *testing.T, text string) string {
	t.Helper()
	var out bytes.Buffer
	if err := runAnalyze(context.Background(), []string{"--format=score"}, strings.NewReader(text+"\n"), &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(out.String(), "\n")
}
