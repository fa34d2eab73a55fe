package queue

import (
	"context"
	"log/slog"
	"strings"
)

// chattyRiverMessages are River's routine INFO messages: a producer's job
// counts (every few seconds whenever they changed, which the periodic
// housekeeping job makes happen on an idle server) and a maintenance
// service's "Ran successfully". They are demoted to DEBUG so that an idle
// server's log stays quiet at INFO; everything else River says (start,
// stop, errors, panics) keeps its level.
var chattyRiverMessages = []string{": Producer job counts", ": Ran successfully"}

// riverLogger returns the logger River is given.
func riverLogger(l *slog.Logger) *slog.Logger {
	return slog.New(demoteHandler{inner: l.Handler()}).With("component", "river")
}

// demoteHandler logs River's chatty INFO messages at DEBUG.
type demoteHandler struct{ inner slog.Handler }

func (h demoteHandler) Enabled(ctx context.Context, level slog.Level) bool {
	// Whether a message is chatty is known only in Handle; DEBUG-enabled
	// handlers see everything anyway.
	return h.inner.Enabled(ctx, level)
}

func (h demoteHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo && isChatty(r.Message) {
		if !h.inner.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		r = r.Clone()
		r.Level = slog.LevelDebug
	}
	return h.inner.Handle(ctx, r)
}

func (h demoteHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return demoteHandler{inner: h.inner.WithAttrs(attrs)}
}

func (h demoteHandler) WithGroup(name string) slog.Handler {
	return demoteHandler{inner: h.inner.WithGroup(name)}
}

func isChatty(msg string) bool {
	for _, m := range chattyRiverMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
