// Package cursor makes the opaque ?cursor= values of the JSON API's lists
// tamper-evident. A cursor is its payload (a position in a list) followed
// by an HMAC-SHA256 tag under a key kept in the database, so a cursor
// keeps working across restarts and on every instance sharing the
// database, and a cursor that was edited is refused instead of being
// followed to a position the server never handed out.
package cursor

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// ErrInvalid is returned by Open for anything it did not sign.
var ErrInvalid = errors.New("invalid cursor")

// keyName is the server_keys row holding the signing key.
const keyName = "cursor-hmac-sha256"

// tagLen is the length of the signature kept in a cursor: 128 bits of an
// HMAC-SHA256 tag, plenty against forgery of a value that guards no secret.
const tagLen = 16

var encoding = base64.RawURLEncoding

// Signer signs and opens cursors. The key is read from (or, the first time
// any instance needs it, created in) the database on first use.
type Signer struct {
	st  *store.Store
	now func() time.Time

	mu  sync.Mutex
	key []byte
}

// New returns a Signer keeping its key in st; now is the clock for the
// key's creation time (nil means time.Now).
func New(st *store.Store, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	return &Signer{st: st, now: now}
}

// Sign returns the cursor for payload.
func (s *Signer) Sign(ctx context.Context, payload []byte) (string, error) {
	key, err := s.loadKey(ctx)
	if err != nil {
		return "", err
	}
	b := make([]byte, 0, len(payload)+tagLen)
	b = append(b, payload...)
	b = append(b, tag(key, payload)...)
	return encoding.EncodeToString(b), nil
}

// Open returns the payload of a cursor made by Sign, or ErrInvalid.
func (s *Signer) Open(ctx context.Context, cursor string) ([]byte, error) {
	b, err := encoding.DecodeString(cursor)
	if err != nil || len(b) <= tagLen {
		return nil, ErrInvalid
	}
	key, err := s.loadKey(ctx)
	if err != nil {
		return nil, err
	}
	payload, got := b[:len(b)-tagLen], b[len(b)-tagLen:]
	if !hmac.Equal(got, tag(key, payload)) {
		return nil, ErrInvalid
	}
	return payload, nil
}

func tag(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)[:tagLen]
}

// loadKey returns the signing key, creating it in the database once.
func (s *Signer) loadKey(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	candidate := make([]byte, 32)
	if _, err := rand.Read(candidate); err != nil {
		return nil, fmt.Errorf("cursor key: %w", err)
	}
	var stored string
	err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		stored, err = tx.EnsureServerKey(ctx, keyName, base64.StdEncoding.EncodeToString(candidate), s.now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cursor key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(stored)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("cursor key: the stored key is not 32 bytes of base64")
	}
	s.key = key
	return key, nil
}

// Positions in lists. A "t" cursor is the (time, id) of the last row of a
// page of a list ordered by (time, id); an "o" cursor is an offset into
// ranked results.

// errField is the error a client gets for a cursor this server did not
// hand out (edited, truncated, from before cursors were signed, or of
// another kind of list): 400 naming the cursor field.
func errField() error {
	return validate.Field("cursor", "is not a valid cursor; start again without it")
}

// Time returns the cursor for the position after the row (t, id).
func (s *Signer) Time(ctx context.Context, t time.Time, id string) (string, error) {
	return s.Sign(ctx, []byte("t|"+store.DBTime(t)+"|"+id))
}

// ParseTime returns the position of a Time cursor; "" is the first page
// (nil). A cursor that was not made by Time is a validation error naming
// the cursor field.
func (s *Signer) ParseTime(ctx context.Context, c string) (*store.Cursor, error) {
	if c == "" {
		return nil, nil
	}
	b, err := s.open(ctx, c)
	if err != nil {
		return nil, err
	}
	parts := strings.SplitN(b, "|", 3)
	if len(parts) != 3 || parts[0] != "t" || parts[2] == "" {
		return nil, errField()
	}
	t, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil {
		return nil, errField()
	}
	return &store.Cursor{Time: t, ID: parts[2]}, nil
}

// Offset returns the cursor for an offset into ranked results.
func (s *Signer) Offset(ctx context.Context, offset int) (string, error) {
	return s.Sign(ctx, []byte("o|"+strconv.Itoa(offset)))
}

// ParseOffset returns the offset of an Offset cursor; "" is 0. A cursor
// that was not made by Offset, or beyond maxOffset, is a validation error
// naming the cursor field.
func (s *Signer) ParseOffset(ctx context.Context, c string, maxOffset int) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := s.open(ctx, c)
	if err != nil {
		return 0, err
	}
	rest, ok := strings.CutPrefix(b, "o|")
	if !ok {
		return 0, errField()
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > maxOffset {
		return 0, errField()
	}
	return n, nil
}

// open is Open with an invalid cursor turned into the client's error.
func (s *Signer) open(ctx context.Context, c string) (string, error) {
	b, err := s.Open(ctx, c)
	if errors.Is(err, ErrInvalid) {
		return "", errField()
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}
