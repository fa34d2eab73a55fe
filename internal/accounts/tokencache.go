package accounts

import (
	"sync"
	"time"
)

// tokenCacheMax bounds the personal access tokens remembered at once; past
// it the cache starts over (each token then costs one lookup again).
const tokenCacheMax = 4096

// tokenCache remembers which user a personal access token (by its hash)
// authenticated, so that a client sending many requests costs one database
// lookup per minute instead of one per request (the lookup was a sixth of
// a publish's request-side CPU).
//
// Revocation stays immediate: an entry is used only while the store's
// credential generation (store.CredentialGeneration) is the one read before
// the lookup that made it. Every commit that deletes a token or a user
// moves the generation before the revoking call returns, so the next
// request with any cached token looks it up again. The store allows caching
// on SQLite only, where this process is the only one writing. An entry is
// also passed over once its token's use (or its user's activity) is due to
// be recorded again, which the lookup then does.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]tokenUse
}

type tokenUse struct {
	userID string
	gen    uint64
	// touched is the older of the token's last use and its user's last
	// activity as stored: once it falls before the activity cutoff the
	// lookup must run to record them.
	touched time.Time
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, entries: make(map[string]tokenUse)}
}

// get returns the user of the token hash when an entry made at generation
// gen has nothing to record before cutoff.
func (c *tokenCache) get(hash string, gen uint64, cutoff time.Time) (string, bool) {
	c.mu.Lock()
	u, ok := c.entries[hash]
	c.mu.Unlock()
	if !ok || u.gen != gen || u.touched.Before(cutoff) {
		return "", false
	}
	return u.userID, true
}

func (c *tokenCache) put(hash string, u tokenUse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[hash]; !ok && len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[hash] = u
}
