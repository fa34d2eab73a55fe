package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/resonant-journal/resonant/internal/analysis/offline"
)

// maxAnalyzeLine bounds one input line; journal entries are at most 10,000 characters,
// so 1 MiB leaves room for anything a user would paste.
const maxAnalyzeLine = 1 << 20

// runAnalyze implements `resonant analyze`: one text per stdin line → one result per stdout line.
func runAnalyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "output per line: json (the full analysis) or score (the sentiment number)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: resonant analyze [--format=json|score] < texts.txt")
		fmt.Fprintln(stderr, "Reads one text per line and writes one result per line, using the built-in offline analyzer.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("analyze: unexpected argument %q (texts are read from stdin)", fs.Arg(0))
	}
	if *format != "json" && *format != "score" {
		return fmt.Errorf("analyze: unknown --format %q (want json or score)", *format)
	}

	a := offline.New()
	rd := bufio.NewReaderSize(stdin, 64<<10)
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var text, line []byte
	for n := 1; ; n++ {
		var size int
		var err error
		text, size, err = readLine(rd, text[:0], maxAnalyzeLine)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errors.Join(fmt.Errorf("analyze: read stdin: %w", err), w.Flush())
		}
		if err := ctx.Err(); err != nil {
			return errors.Join(err, w.Flush())
		}
		if size > len(text) {
			// One result per input line still: analyse what fits and say so.
			fmt.Fprintf(stderr, "resonant analyze: line %d is %d bytes, over the %d-byte limit; analysed its first %d bytes\n",
				n, size, maxAnalyzeLine, len(text))
		}
		r := a.Analyze(string(text))
		if *format == "score" {
			line = strconv.AppendFloat(line[:0], r.SentimentScore, 'f', 4, 64)
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return fmt.Errorf("analyze: write: %w", err)
			}
			continue
		}
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("analyze: write: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("analyze: write: %w", err)
	}
	return nil
}

// readLine appends the next line of r (without its "\n" or "\r\n") to buf,
// keeping at most limit bytes of it, cut at a character boundary; size is the
// line's whole length. At the end of input it returns io.EOF; a last line
// without a newline is still a line.
func readLine(r *bufio.Reader, buf []byte, limit int) (line []byte, size int, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		part := bytes.TrimSuffix(chunk, []byte("\n"))
		size += len(part)
		if room := limit - len(buf); room > 0 {
			buf = append(buf, part[:min(len(part), room)]...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return buf, size, err
		case errors.Is(err, io.EOF) && size == 0:
			return buf, 0, io.EOF
		}
		if size > len(buf) {
			buf = trimPartialRune(buf)
		} else if bytes.HasSuffix(buf, []byte("\r")) {
			buf, size = buf[:len(buf)-1], size-1
		}
		return buf, size, nil
	}
}

// trimPartialRune drops an incomplete UTF-8 sequence left at the end of b by
// cutting it short.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}
