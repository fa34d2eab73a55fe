//go:build !unix

package store

import (
	"fmt"
	"os"
)

// lockDataDir on systems without flock creates the lock file exclusively; a
// crashed process leaves it behind, and the message says how to recover.
func lockDataDir(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("another resonant process may be using the database (%s exists; remove it if no other process runs): %w", path, err)
	}
	return func() { _ = f.Close(); _ = os.Remove(path) }, nil
}
