package insight

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
)

// Reminder scheduling.
const (
	// ReminderGrace is how late after the reminder time a reminder may
	// still go out (an instance that was down at the time catches up).
	ReminderGrace = 3 * time.Hour
	// ReminderQuiet is how long without an entry makes a relationship worth
	// naming in the reminder.
	ReminderQuiet = 7 * 24 * time.Hour
	// reminderBatch is how many users one sweep reads at a time.
	reminderBatch = 500
)

// ReminderDue decides whether a reminder is due at now for a user in loc
// whose reminder time is hhmm ("20:00") and whose newest entry was written
// at lastEntry (zero when never). It returns the local date the reminder
// is for. Not due: before the reminder time, more than ReminderGrace after
// it, or the user already wrote that local day. A reminder time that does
// not exist on a day (a DST gap) is the first instant after the gap.
func ReminderDue(now time.Time, loc *time.Location, hhmm string, lastEntry time.Time) (localDate string, due bool) {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		h, m = 20, 0
	}
	local := now.In(loc)
	for _, day := range []time.Time{local, local.AddDate(0, 0, -1)} {
		at := reminderInstant(day.Year(), day.Month(), day.Day(), h, m, loc)
		if now.Before(at) || now.Sub(at) > ReminderGrace {
			continue
		}
		date := at.In(loc).Format(time.DateOnly)
		if !lastEntry.IsZero() && lastEntry.In(loc).Format(time.DateOnly) == date {
			return date, false // already wrote that day
		}
		return date, true
	}
	return "", false
}

// reminderInstant is h:m on the given local day; in a DST gap (the wall
// time does not exist) it is the instant the clocks jump to.
func reminderInstant(y int, mo time.Month, d, h, m int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, m, 0, 0, loc)
	if t.Hour() == h && t.Minute() == m {
		return t
	}
	// Go picked an offset for a time that does not exist; the first real
	// instant after it is the start of the hour after the gap.
	midnight := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	for probe := midnight; probe.Day() == d; probe = probe.Add(15 * time.Minute) {
		if ph := probe.Hour()*60 + probe.Minute(); ph > h*60+m {
			return probe
		}
	}
	return t
}

// ClaimDueReminders claims, for every user due one now, that local day's
// reminder and queues its sending in the same transaction: the unique
// (user, local date) row makes it once a day whatever the number of
// instances or sweeps. It returns how many it claimed.
func (s *Service) ClaimDueReminders(ctx context.Context) (int, error) {
	now := s.now()
	claimed := 0
	after := ""
	for {
		cands, err := s.store.ReminderCandidates(ctx, now.Add(-20*time.Hour), after, reminderBatch)
		if err != nil {
			return claimed, err
		}
		for _, c := range cands {
			after = c.UserID
			st := settingsOf(store.User{Preferences: c.Preferences, FeatureFlags: c.FeatureFlags})
			if !st.flags.SmartReminders {
				continue
			}
			date, due := ReminderDue(now, st.loc, st.prefs.ReminderTime, c.LastEntryAt)
			if !due {
				continue
			}
			err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				ok, err := tx.ClaimReminder(ctx, c.UserID, date, now)
				if err != nil || !ok {
					return err
				}
				claimed++
				return s.jobs.EnqueueReminder(ctx, tx, c.UserID, date)
			})
			if err != nil {
				return claimed, fmt.Errorf("claim reminder: %w", err)
			}
		}
		if len(cands) < reminderBatch {
			break
		}
	}
	if err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.PruneReminders(ctx, now.Add(-8*24*time.Hour)) }); err != nil {
		return claimed, err
	}
	return claimed, nil
}

// errSendFailed marks a send that failed and was put back to claimed.
var errSendFailed = errors.New("reminder not sent")

// SendReminder sends one claimed reminder. It moves the claim to sending
// before talking to the mail server and to sent after, so a retried or
// duplicated job never sends twice; if a process dies mid-send the
// reminder stays "sending" and is not sent again (a missed reminder is
// better than a duplicate). A send that fails cleanly is put back and
// retried. The user turning reminders off, or writing, before it goes
// out skips it.
func (s *Service) SendReminder(ctx context.Context, userID, localDate string) error {
	now := s.now()
	var (
		user store.User
		last []store.LastWritten
		wrot time.Time
	)
	err := s.store.ReadTx(ctx, func(q *store.Queries) error {
		var err error
		if user, err = q.UserByID(ctx, userID); err != nil {
			return err
		}
		if wrot, err = q.LastEntryAt(ctx, userID); err != nil {
			return err
		}
		last, err = q.LastWrittenPerRelationship(ctx, userID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // the account is gone, and its claim with it
	}
	if err != nil {
		return err
	}
	st := settingsOf(user)
	skip := !st.flags.SmartReminders || (!wrot.IsZero() && wrot.In(st.loc).Format(time.DateOnly) == localDate)
	rel := quietest(last, now)
	var moved bool
	err = s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		to := store.ReminderSending
		if skip {
			to = store.ReminderSkipped
		}
		var err error
		moved, err = tx.MoveReminder(ctx, userID, localDate, store.ReminderClaimed, to, rel.RelationshipID, now)
		return err
	})
	if err != nil || !moved || skip {
		return err
	}
	msg, err := s.reminderMessage(ctx, user, rel)
	if err == nil {
		err = s.mailer.Send(ctx, msg)
	}
	final := store.ReminderSent
	if err != nil {
		s.log.WarnContext(ctx, "reminder not sent; will retry", slog.String("user", userID), slog.Any("err", err))
		final = store.ReminderClaimed
	}
	if uerr := s.store.InTx(context.WithoutCancel(ctx), func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.MoveReminder(ctx, userID, localDate, store.ReminderSending, final, "", s.now())
		return err
	}); uerr != nil {
		return uerr
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errSendFailed, err)
	}
	return nil
}

// quietest is the relationship written about least recently, if that was
// at least ReminderQuiet ago (or never).
func quietest(last []store.LastWritten, now time.Time) store.LastWritten {
	var pick store.LastWritten
	found := false
	for _, l := range last {
		since := l.LastEntryAt
		if since.IsZero() {
			since = l.CreatedAt
		}
		if now.Sub(since) < ReminderQuiet {
			continue
		}
		pickSince := pick.LastEntryAt
		if pickSince.IsZero() {
			pickSince = pick.CreatedAt
		}
		if !found || since.Before(pickSince) {
			pick, found = l, true
		}
	}
	return pick
}

func (s *Service) reminderMessage(ctx context.Context, u store.User, rel store.LastWritten) (mail.Message, error) {
	token, err := s.UnsubscribeToken(ctx, u.ID)
	if err != nil {
		return mail.Message{}, err
	}
	base := strings.TrimRight(s.baseURL, "/")
	unsub := base + "/api/v1/reminders/unsubscribe?token=" + url.QueryEscape(token)
	var b strings.Builder
	greeting := "Hello"
	if name := strings.TrimSpace(u.Name); name != "" && !strings.ContainsAny(name, "\r\n") {
		greeting += " " + name
	}
	b.WriteString(greeting + ",\n\n")
	b.WriteString("This is your Resonant reminder: a few minutes to write about your day and the people in it.\n")
	if rel.RelationshipID != "" {
		name := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, rel.Name)
		if rel.LastEntryAt.IsZero() {
			fmt.Fprintf(&b, "\nYou haven't written about %s yet. Maybe today?\n", name)
		} else {
			fmt.Fprintf(&b, "\nIt has been a while since you wrote about %s.\n", name)
		}
	}
	fmt.Fprintf(&b, "\nWrite an entry: %s/\n", base)
	fmt.Fprintf(&b, "\nTo stop these reminders with one click: %s\n(You can turn them back on in your settings.)\n", unsub)
	return mail.Message{To: u.Email, Subject: "A moment to write in your journal", Text: b.String(), Unsubscribe: unsub}, nil
}

// unsubscribePurpose separates these signatures from any other use of the key.
const unsubscribePurpose = "resonant reminders unsubscribe v1\x00"

// keyCache holds the unsubscribe key once read.
type keyCache struct {
	mu  sync.Mutex
	key []byte
}

func (s *Service) unsubscribeKey(ctx context.Context) ([]byte, error) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if s.keys.key != nil {
		return s.keys.key, nil
	}
	var candidate [32]byte
	if _, err := rand.Read(candidate[:]); err != nil {
		return nil, fmt.Errorf("generate unsubscribe key: %w", err)
	}
	var secret string
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		secret, err = tx.EnsureServerKey(ctx, "reminders_unsubscribe", hex.EncodeToString(candidate[:]), s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("unsubscribe key: %w", err)
	}
	s.keys.key = key
	return key, nil
}

// UnsubscribeToken is the signed token of the user's one-click link.
func (s *Service) UnsubscribeToken(ctx context.Context, userID string) (string, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unsubscribePurpose + userID))
	return base64.RawURLEncoding.EncodeToString([]byte(userID)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:20]), nil
}

// ErrBadToken is a missing, malformed or forged unsubscribe token.
var ErrBadToken = errors.New("the link is not valid")

// Unsubscribe turns smartReminders off for the user the token was signed
// for. It is idempotent; a token of a deleted account is ErrBadToken.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	idPart, sigPart, ok := strings.Cut(token, ".")
	id, err1 := base64.RawURLEncoding.DecodeString(idPart)
	sig, err2 := base64.RawURLEncoding.DecodeString(sigPart)
	if !ok || err1 != nil || err2 != nil || len(id) == 0 || len(id) > 200 {
		return ErrBadToken
	}
	want, err := s.UnsubscribeToken(ctx, string(id))
	if err != nil {
		return err
	}
	_, wantSig, _ := strings.Cut(want, ".")
	wantBytes, _ := base64.RawURLEncoding.DecodeString(wantSig)
	if !hmac.Equal(sig, wantBytes) {
		return ErrBadToken
	}
	now := s.now()
	err = s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		u, err := tx.UserByID(ctx, string(id))
		if err != nil {
			return err
		}
		flags := accounts.DefaultFeatureFlags()
		_ = json.Unmarshal([]byte(u.FeatureFlags), &flags)
		if !flags.SmartReminders {
			return nil
		}
		flags.SmartReminders = false
		b, err := json.Marshal(flags)
		if err != nil {
			return err
		}
		return tx.SetFeatureFlags(ctx, u.ID, string(b), now)
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrBadToken
	}
	return err
}
