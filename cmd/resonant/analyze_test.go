package main

import (
	"bytes"
	"context"
	"encoding/json"
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
