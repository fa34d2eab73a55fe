package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// FileOutbox writes each message as an .eml file into Dir. A file appears
// whole or not at all (written to a temporary name, then renamed), so a
// reader never sees half a message.
type FileOutbox struct {
	Dir  string
	From string
	// Now is the clock for the Date header and file names; nil means time.Now.
	Now func() time.Time
}

// Send implements Mailer.
func (o *FileOutbox) Send(ctx context.Context, m Message) error {
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	raw, err := render(o.From, m, now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	// A sortable name: time first, then randomness against collisions.
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(rnd[:]) + ".eml"
	tmp, err := os.CreateTemp(o.Dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(raw); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("mail outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(o.Dir, name)); err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	return nil
}
