package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

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
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), maxAnalyzeLine)
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var line []byte
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return errors.Join(err, w.Flush())
		}
		r := a.Analyze(sc.Text())
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
	if err := sc.Err(); err != nil {
		return errors.Join(fmt.Errorf("analyze: read stdin: %w", err), w.Flush())
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("analyze: write: %w", err)
	}
	return nil
}
