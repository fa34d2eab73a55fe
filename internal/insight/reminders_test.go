package insight_test

import (
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func TestReminderDue(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name, tz, at, now, last string
		date                    string
		due                     bool
	}{
		{"before the time", "Europe/Paris", "20:00", "2026-06-10T17:59:00Z", "", "", false},
		{"at the time", "Europe/Paris", "20:00", "2026-06-10T18:00:00Z", "", "2026-06-10", true},
		{"within grace", "Europe/Paris", "20:00", "2026-06-10T20:30:00Z", "", "2026-06-10", true},
		{"past grace", "Europe/Paris", "20:00", "2026-06-10T21:01:00Z", "", "", false},
		{"already wrote today", "Europe/Paris", "20:00", "2026-06-10T18:05:00Z", "2026-06-10T06:00:00Z", "2026-06-10", false},
		{"wrote yesterday", "Europe/Paris", "20:00", "2026-06-10T18:05:00Z", "2026-06-09T21:00:00Z", "2026-06-10", true},
		// Far east: 08:00 on the 11th in Auckland is 20:00 on the 10th UTC.
		{"ahead of UTC across midnight", "Pacific/Auckland", "08:00", "2026-06-10T20:10:00Z", "", "2026-06-11", true},
		{"ahead of UTC, wrote on the UTC day before", "Pacific/Auckland", "08:00", "2026-06-10T20:10:00Z", "2026-06-10T11:00:00Z", "2026-06-11", true},
		{"ahead of UTC, wrote that local morning", "Pacific/Auckland", "08:00", "2026-06-10T20:10:00Z", "2026-06-10T19:00:00Z", "2026-06-11", false},
		// Far west: 22:00 on the 10th in Honolulu is 08:00 on the 11th UTC.
		{"behind UTC across midnight", "Pacific/Honolulu", "22:00", "2026-06-11T08:00:00Z", "", "2026-06-10", true},
		{"behind UTC, wrote on the UTC day", "Pacific/Honolulu", "22:00", "2026-06-11T08:00:00Z", "2026-06-11T01:00:00Z", "2026-06-10", false},
		// A late reminder still in its grace after local midnight is for the day before.
		{"grace past local midnight", "Europe/Paris", "23:30", "2026-06-10T22:45:00Z", "", "2026-06-10", true},
		// DST: 02:30 does not exist in New York on 8 March 2026; the reminder goes at 03:00.
		{"DST gap before", "America/New_York", "02:30", "2026-03-08T06:59:00Z", "", "", false},
		{"DST gap", "America/New_York", "02:30", "2026-03-08T07:00:00Z", "", "2026-03-08", true},
		// 01:30 happens twice on 1 November 2026; due from the first.
		{"DST overlap", "America/New_York", "01:30", "2026-11-01T05:30:00Z", "", "2026-11-01", true},
		{"DST overlap, second pass", "America/New_York", "01:30", "2026-11-01T06:30:00Z", "", "2026-11-01", true},
		{"spring day length", "Europe/London", "20:00", "2026-03-29T19:00:00Z", "", "2026-03-29", true},
	}
	for _, c := range cases {
		loc := mustLoc(t, c.tz)
		var last time.Time
		if c.last != "" {
			last = utc(c.last)
		}
		date, due := insight.ReminderDue(utc(c.now), loc, c.at, last)
		if due != c.due || (c.date != "" && date != c.date) {
			t.Errorf("%s: ReminderDue = %q %v, want %q %v", c.name, date, due, c.date, c.due)
		}
	}
}

// Sweeping every minute through a whole day in several zones claims each
// user's reminder exactly once, and on the right local day.
func TestRemindersOncePerLocalDayAcrossADay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		zones := map[string]string{"kiri": "Pacific/Kiritimati", "pago": "Pacific/Pago_Pago", "ny": "America/New_York", "paris": "Europe/Paris"}
		for id, tz := range zones {
			e.user(id, `{"timezone":"`+tz+`","reminderTime":"23:45"}`, "")
		}
		e.user("off", `{"timezone":"UTC","reminderTime":"10:00"}`, `{"smartReminders":false}`)
		e.clock.Set(time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC))
		for range 24 * 60 / 5 * 2 { // two days, every five minutes
			if _, err := e.svc.ClaimDueReminders(e.ctx); err != nil {
				t.Fatal(err)
			}
			e.clock.Add(5 * time.Minute)
		}
		got := map[string][]string{}
		for _, r := range e.jobs.reminders {
			got[r.UserID] = append(got[r.UserID], r.LocalDate)
		}
		if len(got["off"]) != 0 {
			t.Fatal("a user with smartReminders off was reminded")
		}
		for id := range zones {
			// Two UTC days cover one or two whole local evenings; never two claims on one date.
			seen := map[string]bool{}
			for _, d := range got[id] {
				if seen[d] {
					t.Fatalf("%s reminded twice on %s: %v", id, d, got[id])
				}
				seen[d] = true
			}
			if len(got[id]) == 0 {
				t.Fatalf("%s never reminded: %v", id, got)
			}
		}
	})
}

func TestAlreadyWroteTodayIsNotReminded(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", `{"timezone":"Europe/Paris","reminderTime":"20:00"}`, "")
		rel := e.relationship(u, "Sam")
		e.clock.Set(time.Date(2026, 6, 10, 18, 1, 0, 0, time.UTC))
		e.entry(u, rel, analysisSpec{at: time.Date(2026, 6, 10, 7, 0, 0, 0, time.UTC), sentiment: 0.1})
		if n, err := e.svc.ClaimDueReminders(e.ctx); err != nil || n != 0 {
			t.Fatalf("claimed %d (%v) for a user who wrote today", n, err)
		}
		// The next day, not having written, they are reminded.
		e.clock.Add(24 * time.Hour)
		if n, err := e.svc.ClaimDueReminders(e.ctx); err != nil || n != 1 {
			t.Fatalf("claimed %d (%v) the next day, want 1", n, err)
		}
		// Writing between the claim and the send skips the send.
		e.entry(u, rel, analysisSpec{at: e.clock.Now(), sentiment: 0.1})
		if err := e.svc.SendReminder(e.ctx, u, "2026-06-11"); err != nil {
			t.Fatal(err)
		}
		if e.mail.count() != 0 {
			t.Fatal("a reminder went out after the user wrote")
		}
		if st, _ := e.s.ReminderStatus(e.ctx, u, "2026-06-11"); st != store.ReminderSkipped {
			t.Fatalf("status %q, want skipped", st)
		}
	})
}

// Two instances sweeping at the same moment claim one reminder, and
// duplicated or retried send jobs send one mail.
func TestTwoInstancesSendOneMail(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			opts := storetest.Options(t, engine)
			s1 := storetest.OpenWith(t, opts)
			e1 := newEnv(t, s1)
			e2 := e1
			if engine == store.Postgres {
				// A second process on the same database.
				e2 = newEnv(t, storetest.OpenWith(t, opts))
				e2.mail, e2.jobs, e2.clock = e1.mail, e1.jobs, e1.clock
				e2.svc = newEnvService(e2)
			} else {
				// SQLite allows one process; two services on it stand in.
				e2 = &env{t: t, ctx: e1.ctx, s: s1, jobs: e1.jobs, mail: e1.mail, clock: e1.clock}
				e2.svc = newEnvService(e2)
			}
			users := []string{"u1", "u2", "u3"}
			for _, u := range users {
				e1.user(u, `{"timezone":"Asia/Tokyo","reminderTime":"21:00"}`, "")
			}
			e1.relationship("u1", "Kim")
			e1.clock.Set(time.Date(2026, 6, 10, 12, 0, 30, 0, time.UTC))
			var wg sync.WaitGroup
			for _, inst := range []*env{e1, e2, e1, e2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := inst.svc.ClaimDueReminders(inst.ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if len(e1.jobs.reminders) != len(users) {
				t.Fatalf("%d reminders claimed for %d users: %+v", len(e1.jobs.reminders), len(users), e1.jobs.reminders)
			}
			// Every job delivered twice, from both instances at once.
			for _, r := range e1.jobs.reminders {
				for _, inst := range []*env{e1, e2} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := inst.svc.SendReminder(inst.ctx, r.UserID, r.LocalDate); err != nil {
							t.Error(err)
						}
					}()
				}
			}
			wg.Wait()
			if n := e1.mail.count(); n != len(users) {
				t.Fatalf("%d mails for %d users", n, len(users))
			}
			var kim mail.Message
			for _, m := range e1.mail.sent {
				if m.To == "u1@example.com" {
					kim = m
				}
			}
			if !strings.Contains(kim.Text, "Kim") || kim.Unsubscribe == "" || !strings.Contains(kim.Text, kim.Unsubscribe) {
				t.Fatalf("reminder for u1: %+v", kim)
			}
			// One-click unsubscribe, no sign-in: the token in the link turns reminders off.
			u, err := url.Parse(kim.Unsubscribe)
			if err != nil || !strings.HasPrefix(kim.Unsubscribe, "https://journal.example/") {
				t.Fatalf("unsubscribe link %q", kim.Unsubscribe)
			}
			if err := e2.svc.Unsubscribe(e2.ctx, u.Query().Get("token")); err != nil {
				t.Fatal(err)
			}
			if err := e2.svc.Unsubscribe(e2.ctx, u.Query().Get("token")); err != nil {
				t.Fatalf("unsubscribing twice: %v", err)
			}
			flags := e1.count(`SELECT COUNT(*) FROM feature_flags WHERE user_id = 'u1' AND flags LIKE '%"smartReminders":false%'`)
			if flags != 1 {
				t.Fatal("unsubscribe did not turn smartReminders off")
			}
			e1.clock.Add(24 * time.Hour)
			before := len(e1.jobs.reminders)
			if _, err := e1.svc.ClaimDueReminders(e1.ctx); err != nil {
				t.Fatal(err)
			}
			for _, r := range e1.jobs.reminders[before:] {
				if r.UserID == "u1" {
					t.Fatal("an unsubscribed user was reminded the next day")
				}
			}
			// Forged and tampered tokens are refused.
			tok := u.Query().Get("token")
			id, sig, _ := strings.Cut(tok, ".")
			other, err := e1.svc.UnsubscribeToken(e1.ctx, "u2")
			if err != nil {
				t.Fatal(err)
			}
			_, sig2, _ := strings.Cut(other, ".")
			for _, bad := range []string{"", "x", id, id + ".", id + "." + sig2, strings.Replace(other, sig2, sig, 1), tok + "x"} {
				if err := e1.svc.Unsubscribe(e1.ctx, bad); !errors.Is(err, insight.ErrBadToken) {
					t.Fatalf("token %q: %v, want ErrBadToken", bad, err)
				}
			}
		})
	}
}

// A send that fails is retried and sends once; one interrupted mid-send
// (the process died) is not sent again.
func TestReminderSendFailureAndCrash(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", `{"timezone":"UTC","reminderTime":"08:00"}`, "")
		e.clock.Set(time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC))
		if n, err := e.svc.ClaimDueReminders(e.ctx); err != nil || n != 1 {
			t.Fatalf("claim: %d %v", n, err)
		}
		e.mail.fail = 1
		if err := e.svc.SendReminder(e.ctx, u, "2026-06-10"); err == nil {
			t.Fatal("a failed send reported success")
		}
		if st, _ := e.s.ReminderStatus(e.ctx, u, "2026-06-10"); st != store.ReminderClaimed {
			t.Fatalf("after a failed send the status is %q, want claimed (to retry)", st)
		}
		if err := e.svc.SendReminder(e.ctx, u, "2026-06-10"); err != nil || e.mail.count() != 1 {
			t.Fatalf("retry: %v, %d mails", err, e.mail.count())
		}
		// A reminder left "sending" by a crash is not sent again.
		e.clock.Add(24 * time.Hour)
		if n, err := e.svc.ClaimDueReminders(e.ctx); err != nil || n != 1 {
			t.Fatalf("claim day 2: %d %v", n, err)
		}
		e.exec(`UPDATE reminder_sends SET status = 'sending' WHERE user_id = ? AND local_date = '2026-06-11'`, u)
		if err := e.svc.SendReminder(e.ctx, u, "2026-06-11"); err != nil || e.mail.count() != 1 {
			t.Fatalf("resend after a crash: %v, %d mails", err, e.mail.count())
		}
	})
}
