package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// tokenBytes is the entropy of emailed and personal access tokens.
const tokenBytes = 32

// newToken returns a random token (base64url, 43 characters) and the
// SHA-256 hex digest that is stored in its place.
func newToken() (raw, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random token: %w", err)
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	h, _ := hashToken(raw)
	return raw, h, nil
}

// hashToken digests a presented token; ok is false when it cannot be one
// of ours (wrong length or alphabet), which saves a database round trip.
func hashToken(raw string) (hash string, ok bool) {
	if len(raw) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(raw); err != nil {
		return "", false
	}
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:]), true
}

// AccessToken describes a personal access token; Token is set only in the
// answer to its creation.
type AccessToken struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Token      string     `json:"token,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	CreatedAt  time.Time  `json:"createdAt"`
}

func toAccessToken(at store.AccessToken) AccessToken {
	out := AccessToken{ID: at.ID, Name: at.Name, CreatedAt: at.CreatedAt.UTC()}
	if !at.LastUsedAt.IsZero() {
		t := at.LastUsedAt.UTC()
		out.LastUsedAt = &t
	}
	return out
}

// CreateAccessToken creates a personal access token for the JSON API. The
// token is in the answer and nowhere else: only its hash is kept.
func (s *Service) CreateAccessToken(ctx context.Context, userID, name string) (AccessToken, error) {
	errs := validate.Errors{}
	name = checkName(name, errs)
	if err := errs.Err(); err != nil {
		return AccessToken{}, err
	}
	raw, hash, err := newToken()
	if err != nil {
		return AccessToken{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return AccessToken{}, err
	}
	row := store.AccessToken{ID: id.String(), UserID: userID, Name: name, TokenHash: hash, CreatedAt: s.now()}
	err = s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.CountAccessTokens(ctx, userID)
		if err != nil {
			return err
		}
		if n >= s.maxTokens {
			return validate.Field("name", fmt.Sprintf("you already have %d tokens; revoke one first", n))
		}
		return tx.InsertAccessToken(ctx, row)
	})
	if err != nil {
		return AccessToken{}, err
	}
	out := toAccessToken(row)
	out.Token = raw
	return out, nil
}

// AccessTokens lists the user's tokens (without the secrets).
func (s *Service) AccessTokens(ctx context.Context, userID string) ([]AccessToken, error) {
	rows, err := s.st.ListAccessTokens(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]AccessToken, len(rows))
	for i, r := range rows {
		out[i] = toAccessToken(r)
	}
	return out, nil
}

// RevokeAccessToken deletes one of the user's tokens; another user's token
// is store.ErrNotFound.
func (s *Service) RevokeAccessToken(ctx context.Context, userID, id string) error {
	return s.revokedIf(ctx, userID, s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteAccessToken(ctx, userID, id) }))
}

// AuthenticateToken returns the user id a personal access token belongs
// to, recording its use (and the user's activity) at most once a minute.
func (s *Service) AuthenticateToken(ctx context.Context, raw string) (string, error) {
	hash, ok := hashToken(raw)
	if !ok {
		return "", ErrUnauthenticated
	}
	now := s.now().UTC()
	cutoff := now.Add(-s.activityEvery)
	gen, cacheable := s.st.CredentialGeneration()
	if cacheable {
		if userID, ok := s.tokens.get(hash, gen, cutoff); ok {
			return userID, nil
		}
	}
	at, lastActive, err := s.st.AccessTokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrUnauthenticated
	}
	if err != nil {
		return "", err
	}
	if at.LastUsedAt.Before(cutoff) || lastActive.Before(cutoff) {
		err := s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.TouchAccessToken(ctx, at.ID, now, cutoff); err != nil {
				return err
			}
			return tx.TouchUserActive(ctx, at.UserID, now, cutoff)
		})
		if err != nil {
			return "", err
		}
		at.LastUsedAt, lastActive = later(at.LastUsedAt, now), later(lastActive, now)
	}
	if cacheable {
		s.tokens.put(hash, tokenUse{userID: at.UserID, gen: gen, touched: earlier(at.LastUsedAt, lastActive)})
	}
	return at.UserID, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// AuthenticateSession checks that a session signed in to userID with epoch
// is still valid (the user exists and has not revoked their sessions since)
// and records the user's activity at most once a minute.
func (s *Service) AuthenticateSession(ctx context.Context, userID string, epoch int64) error {
	st, err := s.st.UserAuthStateByID(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnauthenticated
	}
	if err != nil {
		return err
	}
	if st.SessionEpoch != epoch {
		return ErrUnauthenticated
	}
	now := s.now().UTC()
	cutoff := now.Add(-s.activityEvery)
	if st.LastActiveAt.Before(cutoff) {
		return s.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.TouchUserActive(ctx, userID, now, cutoff) })
	}
	return nil
}
