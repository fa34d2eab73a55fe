package web

import (
	"sync"
	"testing"
)

// TestViewsAreBuiltAtFirstRenderOnce: start-up parses every view (a broken
// one stops the server) but keeps none; concurrent first renders of one
// view build it once and render the same fragment.
func TestViewsAreBuiltAtFirstRenderOnce(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEngine(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.views) < 5 {
		t.Fatalf("%d views, want every page's", len(e.views))
	}
	for name, v := range e.views {
		if v.t != nil {
			t.Fatalf("view %s built before its first render", name)
		}
	}
	var name string
	for n := range e.views {
		name = n
		break
	}
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tpl, err := e.template(name)
			if err != nil {
				got[i] = err
				return
			}
			got[i] = tpl
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("render %d got %v, render 0 %v: want one template", i, got[i], got[0])
		}
	}
	if _, err := e.template("no-such-view"); err == nil {
		t.Fatal("an unknown view rendered")
	}
}
