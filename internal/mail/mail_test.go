package mail

import (
	"bufio"
	"context"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileOutboxWritesReadableEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := &FileOutbox{Dir: dir, From: "Resonant <resonant@example.com>", Now: func() time.Time { return time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC) }}
	link := "https://resonant.example/verify?token=" + strings.Repeat("x", 43)
	if err := o.Send(context.Background(), Message{To: "ann@example.com", Subject: "Confirm — ✓", Text: "Hello\n\n" + link + "\n"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".eml") {
		t.Fatalf("outbox holds %v, want one .eml (no temporary files)", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v", err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "Confirm — ✓" {
		t.Errorf("Subject = %q, %v", subj, err)
	}
	if msg.Header.Get("To") != "<ann@example.com>" || msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" {
		t.Errorf("headers = %v", msg.Header)
	}
	body, _ := io.ReadAll(msg.Body)
	if !strings.Contains(string(body), link+"\r\n") {
		t.Errorf("body does not hold the link on one line: %q", body)
	}
}

func TestHeaderInjectionIsRefused(t *testing.T) {
	o := &FileOutbox{Dir: t.TempDir(), From: "resonant@example.com"}
	for _, m := range []Message{
		{To: "a@example.com\r\nBcc: victim@example.com", Subject: "s", Text: "t"},
		{To: "a@example.com", Subject: "s\r\nBcc: victim@example.com", Text: "t"},
	} {
		if err := o.Send(context.Background(), m); err == nil {
			t.Errorf("Send(%+v) succeeded", m)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	s, err := ParseSMTPURL("smtp://user:p%40ss@mail.example.com:2525", "r@example.com")
	if err != nil || s.Host != "mail.example.com" || s.Port != "2525" || s.User != "user" || s.Password != "p@ss" || s.ImplicitTLS {
		t.Errorf("ParseSMTPURL = %+v, %v", s, err)
	}
	if s, err := ParseSMTPURL("smtps://mail.example.com", "r@example.com"); err != nil || s.Port != "465" || !s.ImplicitTLS {
		t.Errorf("smtps = %+v, %v", s, err)
	}
	for _, bad := range []string{"http://mail.example.com", "smtp://", "::"} {
		if _, err := ParseSMTPURL(bad, "r@example.com"); err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded", bad)
		}
	}
}

// fakeSMTP is a minimal SMTP server without STARTTLS that records DATA.
func fakeSMTP(t *testing.T) (addr string, got <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
		say("220 fake ESMTP")
		var data strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250-fake\r\n250 8BITMIME")
			case strings.HasPrefix(cmd, "DATA"):
				say("354 go ahead")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					data.WriteString(l)
				}
				out <- data.String()
				say("250 ok")
			case strings.HasPrefix(cmd, "QUIT"):
				say("221 bye")
				return
			default:
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), out
}

func TestSMTPSendsTheMessage(t *testing.T) {
	addr, got := fakeSMTP(t)
	host, port, _ := net.SplitHostPort(addr)
	s := &SMTP{Host: host, Port: port, From: "Resonant <r@example.com>", Timeout: 5 * time.Second}
	if err := s.Send(context.Background(), Message{To: "ann@example.com", Subject: "Hi", Text: "link: https://x/verify?token=abc"}); err != nil {
		t.Fatal(err)
	}
	data := <-got
	if !strings.Contains(data, "Subject: Hi") || !strings.Contains(data, "https://x/verify?token=abc") {
		t.Errorf("server received %q", data)
	}
}

func TestSMTPRefusesPasswordWithoutSTARTTLS(t *testing.T) {
	addr, _ := fakeSMTP(t)
	host, port, _ := net.SplitHostPort(addr)
	s := &SMTP{Host: host, Port: port, User: "u", Password: "secret", From: "r@example.com", Timeout: 5 * time.Second}
	err := s.Send(context.Background(), Message{To: "ann@example.com", Subject: "Hi", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("Send = %v, want a refusal to send the password in clear", err)
	}
}
