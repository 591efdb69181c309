package parse

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"testing"
)

// testEngine is shared by the tests of this package: starting an engine
// costs a wazero runtime and module load.
var testEngine *Engine

func TestMain(m *testing.M) {
	flag.Parse()
	e, err := New(context.Background(), Options{
		Instances: 2,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start engine:", err)
		os.Exit(1)
	}
	testEngine = e
	code := m.Run()
	e.Close()
	os.Exit(code)
}
