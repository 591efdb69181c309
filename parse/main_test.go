package parse

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// testEngine is shared by the tests of this package: starting an engine
// costs a wazero runtime and module load. It runs PDFium as parse workers
// do, without wazero's interrupt checks (3.5-8x faster, and the compiled
// code the supervisor tests' workers load); interruptEngine has them.
var testEngine *Engine

func TestMain(m *testing.M) {
	// The supervisor tests run this test binary as their parse workers
	// and as a parent whose death its worker must follow.
	switch os.Getenv(testRoleEnv) {
	case "worker":
		signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
		if err := ServeWorker(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "parent":
		os.Exit(orphanParent())
	}
	flag.Parse()
	e, err := New(context.Background(), Options{
		Instances:   2,
		NoInterrupt: true,
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start engine:", err)
		os.Exit(1)
	}
	testEngine = e
	code := m.Run()
	e.Close()
	if interrupting.e != nil {
		interrupting.e.Close()
	}
	os.Exit(code)
}
