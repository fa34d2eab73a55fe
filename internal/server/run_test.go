package server_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/server"
	"github.com/resonant-journal/resonant/internal/store"
)

// runningServer is a whole server started by startServer.
type runningServer struct {
	addr   string // host:port it listens on
	cancel context.CancelFunc
	done   <-chan error // what server.Run returned, once it has
}

// startServer runs server.Run on opts's database and data directory with
// the given --shutdown-timeout, and returns once the server is ready. The
// caller stops it with cancel and reads the result from done.
func startServer(t *testing.T, opts store.Options, shutdownTimeout string) runningServer {
	t.Helper()
	cfg, err := config.Parse("serve", []string{"--data-dir", opts.DataDir, "--database-url", opts.DatabaseURL, "--shutdown-timeout", shutdownTimeout},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, cfg, server.Options{Listener: ln, Ready: func(a string) { ready <- a }})
	}()
	select {
	case a := <-ready:
		return runningServer{addr: a, cancel: cancel, done: done}
	case err := <-done:
		t.Fatalf("server stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server not ready")
	}
	panic("unreachable")
}
