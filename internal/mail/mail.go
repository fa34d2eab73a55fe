// Package mail sends Resonant's outgoing mail (verification and password
// reset links). The default writes each message as an RFC 5322 .eml file
// into <data-dir>/outbox, so a laptop install needs no SMTP server and tests
// can read the links; SMTP is used when --smtp-url is set.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Text    string
	// Unsubscribe, when set, is an https or http URL that stops this kind
	// of mail with one POST and no sign-in: it goes out as List-Unsubscribe
	// with List-Unsubscribe-Post (RFC 2369, RFC 8058).
	Unsubscribe string
}

// Mailer sends messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// New returns the SMTP mailer for smtpURL, or a FileOutbox in outboxDir when
// smtpURL is empty. from is the sender address.
func New(smtpURL, outboxDir, from string) (Mailer, error) {
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail sender %q is not an address: %w", from, err)
	}
	if smtpURL == "" {
		return &FileOutbox{Dir: outboxDir, From: from}, nil
	}
	return ParseSMTPURL(smtpURL, from)
}

// ParseSMTPURL reads smtp://user:pass@host:port (STARTTLS) or
// smtps://user:pass@host:port (implicit TLS).
func ParseSMTPURL(raw, from string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("--smtp-url is not a URL (want smtp://user:pass@host:587)")
	}
	s := &SMTP{Host: u.Hostname(), Port: u.Port(), From: from}
	switch u.Scheme {
	case "smtp":
		if s.Port == "" {
			s.Port = "587"
		}
	case "smtps":
		s.ImplicitTLS = true
		if s.Port == "" {
			s.Port = "465"
		}
	default:
		return nil, fmt.Errorf("--smtp-url must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if s.Host == "" {
		return nil, errors.New("--smtp-url has no host (want smtp://user:pass@host:587)")
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// render formats m as an RFC 5322 message with CRLF line endings. The body
// is sent as 8bit UTF-8 so links stay on one line, readable by people and
// tests alike.
func render(from string, m Message, now time.Time) ([]byte, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("subject contains a line break")
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := "resonant.local"
	if fa, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(fa.Address, '@'); i >= 0 {
			domain = fa.Address[i+1:]
		}
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from)
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	if m.Unsubscribe != "" {
		if strings.ContainsAny(m.Unsubscribe, "\r\n<>") {
			return nil, errors.New("unsubscribe URL contains a line break or angle bracket")
		}
		header("List-Unsubscribe", "<"+m.Unsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n", "\r\n")
	for line := range strings.SplitSeq(body, "\r\n") {
		if len(line) > 998 {
			return nil, errors.New("body line longer than 998 bytes")
		}
	}
	b.WriteString(body)
	if !strings.HasSuffix(body, "\r\n") {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}
