package validate_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/validate"
)

// entryBody is a POST /entries body with 10,000 characters of content,
// the largest entry there is.
func entryBody(b *testing.B) []byte {
	content := strings.Repeat("We talked about the week and it felt good to be heard. ", 190)[:10000]
	body, err := json.Marshal(map[string]any{"relationshipId": "01a23031-a73f-722f-b700-b9cee9f37abe", "content": content,
		"mood": "calm", "tags": []string{"talk", "walk"}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkJSONText is the check every JSON body now gets before it is
// decoded; BenchmarkDecodeEntry is the decoding it precedes, for scale.
func BenchmarkJSONText(b *testing.B) {
	body := entryBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if validate.JSONText(body) != nil {
			b.Fatal("a valid body was refused")
		}
	}
}

func BenchmarkDecodeEntry(b *testing.B) {
	body := entryBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var v struct {
			RelationshipID *string   `json:"relationshipId"`
			Content        *string   `json:"content"`
			Mood           *string   `json:"mood"`
			Tags           *[]string `json:"tags"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}
