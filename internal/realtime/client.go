package realtime

import (
	"bufio"
	"io"
	"strings"
)

// Message is one Server-Sent Events message as a client sees it: an event
// (ID, Event, Data) or a comment line (Comment set). The tests and the load
// tool read streams with it.
type Message struct {
	ID      string
	Event   string
	Data    string
	Comment string
	// IsComment marks a comment (heartbeat or the opening line).
	IsComment bool
}

// Reader parses a text/event-stream body.
type Reader struct {
	s *bufio.Scanner
}

// NewReader reads messages from r.
func NewReader(r io.Reader) *Reader {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 4<<10), 1<<20)
	return &Reader{s: s}
}

// Next returns the next event or comment; io.EOF when the stream ends.
func (r *Reader) Next() (Message, error) {
	var (
		m    Message
		data []string
		any  bool
	)
	for r.s.Scan() {
		line := r.s.Text()
		if line == "" {
			if any {
				m.Data = strings.Join(data, "\n")
				return m, nil
			}
			continue
		}
		if strings.HasPrefix(line, ":") {
			if !any {
				return Message{Comment: strings.TrimPrefix(strings.TrimPrefix(line, ":"), " "), IsComment: true}, nil
			}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			m.ID, any = value, true
		case "event":
			m.Event, any = value, true
		case "data":
			data, any = append(data, value), true
		}
	}
	if err := r.s.Err(); err != nil {
		return Message{}, err
	}
	return Message{}, io.EOF
}
