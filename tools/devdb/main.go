// Command launchwatch-devdb runs FerretDB v1 with its SQLite backend as a
// small embedded MongoDB-compatible server for launchwatch's defaults and tests.
//
// Usage: launchwatch-devdb --dir DIR [--listen 127.0.0.1:PORT]
//
// It creates DIR, takes an exclusive lock on DIR/devdb.lock (one server per
// directory), listens (port 0 picks a free port), prints the MongoDB URI as the
// first line on stdout, writes it to DIR/devdb.uri and its pid to DIR/devdb.pid,
// and stops cleanly on SIGTERM or SIGINT (removing DIR/devdb.uri first).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "launchwatch-devdb: %s\n", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "data directory (created if missing)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	flag.Parse()

	if *dir == "" {
		return errors.New("--dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("data directory %q: %w", *dir, err)
	}
	if err = os.MkdirAll(abs, 0o700); err != nil {
		return fmt.Errorf("creating data directory %q: %w", abs, err)
	}

	lock, err := os.OpenFile(filepath.Join(abs, "devdb.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening lock file: %w", err)
	}
	defer lock.Close()
	if err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("another launchwatch-devdb already serves %q (see %s)", abs, filepath.Join(abs, "devdb.uri"))
	}

	logger := slog.New(quietHandler{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	uri := f.MongoDBURI()
	uriFile := filepath.Join(abs, "devdb.uri")
	pidFile := filepath.Join(abs, "devdb.pid")
	if err = writeAtomic(uriFile, uri+"\n"); err != nil {
		return err
	}
	if err = writeAtomic(pidFile, strconv.Itoa(os.Getpid())+"\n"); err != nil {
		return err
	}
	defer os.Remove(uriFile)
	defer os.Remove(pidFile)

	fmt.Println(uri)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// A server that is stopping takes its URI away at once: a launchwatch
	// starting meanwhile then waits for it to exit and starts a new one
	// instead of connecting to a server on its way out.
	go func() {
		<-ctx.Done()
		os.Remove(uriFile)
	}()

	go keepIDIndexes(ctx, abs, time.Second, logger)
	return f.Run(ctx)
}

// quietHandler is a Warn-level handler that drops FerretDB v1's dumps of
// every error response ("Response header", "Response message"), which it logs
// at Warn level even for expected answers such as endSessions being
// unsupported; real warnings and errors still get through.
type quietHandler struct{ slog.Handler }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && (strings.HasPrefix(r.Message, "Response header") ||
		strings.HasPrefix(r.Message, "Response message")) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path, data string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s: %w", tmp, err)
	}
	return nil
}
