package demo

import (
	"testing"
	"time"
)

func TestThePlanIsRepeatableAndVaried(t *testing.T) {
	end := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	loc, _ := time.LoadLocation("Europe/London")
	a, b := plan(end.AddDate(0, 0, -120), end, loc, 7), plan(end.AddDate(0, 0, -120), end, loc, 7)
	if len(a) != len(b) || len(a) < 80 {
		t.Fatalf("plans of %d and %d entries", len(a), len(b))
	}
	texts := map[string]bool{}
	perRel := map[int]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("entry %d differs between two plans with the same seed", i)
		}
		if i > 0 && !a[i].at.After(a[i-1].at) {
			t.Fatalf("entry %d is not after entry %d", i, i-1)
		}
		if a[i].at.After(end) {
			t.Fatalf("entry %d is after the end", i)
		}
		texts[a[i].text] = true
		perRel[a[i].rel]++
	}
	if len(texts) < len(a)*9/10 {
		t.Errorf("%d distinct texts among %d entries", len(texts), len(a))
	}
	if len(perRel) != len(people) || perRel[0] < perRel[2] {
		t.Errorf("entries per relationship %v: want every one, the partner most", perRel)
	}
	if !a[len(a)-1].draft {
		t.Error("the last entry is not a draft")
	}
	if c := plan(end.AddDate(0, 0, -120), end, loc, 8); c[3] == a[3] {
		t.Error("another seed wrote the same entry")
	}
}
