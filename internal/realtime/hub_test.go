package realtime

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

func ev(user string, seq int64) store.Event {
	return store.Event{Seq: seq, UserID: user, Type: store.EventEntryCreated, EntityID: "e", At: time.Unix(1700000000, 0)}
}

// recv waits for the next frame of s (bounded so a bug fails, not hangs).
func recv(t *testing.T, s *Subscription) *frame {
	t.Helper()
	select {
	case f := <-s.ch:
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no frame within 10 s")
		return nil
	}
}

func waitDone(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("subscription not ended within 10 s")
	}
}

func TestHubDeliversInOrderPerUser(t *testing.T) {
	h := NewHub(HubConfig{QueueLen: 256})
	defer h.Close()
	ctx := context.Background()
	a, err := h.Subscribe(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, _ := h.Subscribe(ctx, "bob", nil)
	defer b.Close()
	for i := int64(1); i <= 100; i++ {
		user := "alice"
		if i%10 == 0 {
			user = "bob"
		}
		h.Publish([]store.Event{ev(user, i)})
	}
	h.Publish([]store.Event{ev("bob", 101)})
	var prev int64
	for i := 0; i < 90; i++ {
		f := recv(t, a)
		if f.seq <= prev || f.seq%10 == 0 {
			t.Fatalf("alice got seq %d after %d", f.seq, prev)
		}
		prev = f.seq
	}
	// Bob's stream sees exactly his own events: had alice's reached it,
	// they would come before 101.
	for _, want := range []int64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 101} {
		if f := recv(t, b); f.seq != want {
			t.Fatalf("bob got seq %d, want %d", f.seq, want)
		}
	}
}

func TestHubDropsSlowSubscriberWithoutDelayingOthers(t *testing.T) {
	obs := &countingObserver{}
	h := NewHub(HubConfig{QueueLen: 4, Observer: obs})
	defer h.Close()
	ctx := context.Background()
	slow, _ := h.Subscribe(ctx, "alice", nil) // never reads
	fast, _ := h.Subscribe(ctx, "alice", nil)
	defer fast.Close()
	defer slow.Close()

	// The fast subscriber receives each event before the next is
	// published; the slow one's queue fills at the fifth and it is dropped,
	// while the fast one carries on undelayed.
	const n = 50
	for i := int64(1); i <= n; i++ {
		h.Publish([]store.Event{ev("alice", i)}) // never blocks
		if f := recv(t, fast); f.seq != i {
			t.Fatalf("fast subscriber got %d, want %d", f.seq, i)
		}
	}
	waitDone(t, slow)
	if !errors.Is(slow.Err(), ErrSlow) {
		t.Fatalf("slow subscriber ended with %v, want ErrSlow", slow.Err())
	}
	// It kept exactly the first events, no event after the one it missed.
	for want := int64(1); want <= 4; want++ {
		if f := <-slow.ch; f.seq != want {
			t.Fatalf("slow subscriber kept %d, want %d", f.seq, want)
		}
	}
	select {
	case f := <-slow.ch:
		t.Fatalf("slow subscriber has %d after its gap", f.seq)
	default:
	}
	if obs.slow.Load() != 1 {
		t.Fatalf("slow drops = %d, want 1", obs.slow.Load())
	}
}

func TestHubInboxOverflowEndsEveryStream(t *testing.T) {
	h := NewHub(HubConfig{InboxLen: 3})
	defer h.Close()
	s, _ := h.Subscribe(context.Background(), "alice", nil)
	defer s.Close()
	// Hold the dispatcher (it needs the index to fan out) so the inbox fills.
	// It may still take one batch (up to InboxLen events) before it waits
	// for the index, so only the 2*InboxLen+1th event surely overflows.
	h.mu.Lock()
	for i := int64(1); i <= 7; i++ {
		h.Publish([]store.Event{ev("alice", i)})
	}
	h.mu.Unlock()
	waitDone(t, s)
	if !errors.Is(s.Err(), ErrOverflow) {
		t.Fatalf("ended with %v, want ErrOverflow", s.Err())
	}
}

func TestHubRecheckEndsRevokedStreams(t *testing.T) {
	h := NewHub(HubConfig{})
	defer h.Close()
	ctx := context.Background()
	revoked := make(chan struct{})
	check := func(context.Context) error {
		select {
		case <-revoked:
			return errors.New("session gone")
		default:
			return nil
		}
	}
	kept, _ := h.Subscribe(ctx, "alice", func(context.Context) error { return nil })
	defer kept.Close()
	gone, _ := h.Subscribe(ctx, "alice", check)
	defer gone.Close()
	other, _ := h.Subscribe(ctx, "bob", check)
	defer other.Close()

	h.Recheck("alice") // nothing revoked yet
	close(revoked)
	h.Recheck("alice")
	waitDone(t, gone)
	if !errors.Is(gone.Err(), ErrRevoked) {
		t.Fatalf("ended with %v", gone.Err())
	}
	// The other subscriptions are still served.
	h.Publish([]store.Event{ev("alice", 1), ev("bob", 2)})
	if f := recv(t, kept); f.seq != 1 {
		t.Fatalf("kept got %d", f.seq)
	}
	if f := recv(t, other); f.seq != 2 {
		t.Fatalf("bob got %d", f.seq)
	}
}

func TestHubCloseEndsSubscriptions(t *testing.T) {
	h := NewHub(HubConfig{})
	s, _ := h.Subscribe(context.Background(), "alice", nil)
	h.Close()
	waitDone(t, s)
	if !errors.Is(s.Err(), ErrClosed) {
		t.Fatalf("ended with %v", s.Err())
	}
	if _, err := h.Subscribe(context.Background(), "alice", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after close: %v", err)
	}
	s.Close()
	h.Close() // twice is fine
}

func TestEncodeEvent(t *testing.T) {
	e := store.Event{Seq: 42, UserID: "u", Type: store.EventAnalysisStatus, EntityID: "ent", RelationshipID: "rel",
		At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Data: store.AnalysisStatusData{Status: "completed"}}
	f, err := encodeEvent(&e)
	if err != nil {
		t.Fatal(err)
	}
	want := "id: 42\nevent: analysis.status\ndata: {\"type\":\"analysis.status\",\"entityId\":\"ent\",\"relationshipId\":\"rel\",\"at\":\"2026-01-02T03:04:05Z\",\"status\":\"completed\",\"retryCount\":0}\n\n"
	if string(f.b) != want {
		t.Fatalf("got  %q\nwant %q", f.b, want)
	}
	// Stored data (multi-line JSON included) is compacted onto one line.
	e.Data = []byte("{\n \"a\": 1\n}")
	f, err = encodeEvent(&e)
	if err != nil || !strings.Contains(string(f.b), `"at":"2026-01-02T03:04:05Z","a":1}`) {
		t.Fatalf("got %q, %v", f.b, err)
	}
	e.Data = []byte("[1]")
	if _, err := encodeEvent(&e); err == nil {
		t.Fatal("a non-object data was encoded")
	}
}

type countingObserver struct {
	opened, closed, delivered, slow atomic.Int64
}

func (c *countingObserver) StreamOpened()             { c.opened.Add(1) }
func (c *countingObserver) StreamClosed()             { c.closed.Add(1) }
func (c *countingObserver) EventsDelivered(n int)     { c.delivered.Add(int64(n)) }
func (c *countingObserver) DeliveryLag(time.Duration) {}
func (c *countingObserver) SlowClientDropped()        { c.slow.Add(1) }
