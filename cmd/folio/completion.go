package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/folio/folio/lineage"
	"github.com/spf13/cobra"
)

// maxCompletions bounds the ids a completion reads from the ledger: it
// runs at every press of Tab.
const maxCompletions = 50

// completeWith offers values as the completions of cmd's flag name.
func completeWith(cmd *cobra.Command, name string, values []string) {
	// The only error is a flag that does not exist, a bug the tests catch.
	_ = cmd.RegisterFlagCompletionFunc(name, func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var match []cobra.Completion
		for _, v := range values {
			if strings.HasPrefix(v, prefix) {
				match = append(match, v)
			}
		}
		return match, cobra.ShellCompDirectiveNoFileComp
	})
}

// completeIDs returns the element, fragment and document ids starting with
// prefix in the ledger named by c's --db or -o (or their FOLIO_*
// variables), none when there is no ledger. A completion runs at every
// press of Tab: errors give no completions, and the ledger is opened
// read-only.
func completeIDs(c *cobra.Command, prefix string) []cobra.Completion {
	if !couldBeID(prefix) || flagsFromEnv(c, os.LookupEnv) != nil {
		return nil
	}
	db := c.Flags().Lookup("db").Value.String()
	if out := c.Flags().Lookup("output").Value.String(); db == "" && out != "" {
		db = filepath.Join(out, "folio.db")
	}
	if db == "" {
		return nil
	}
	ctx := context.Background()
	l, err := lineage.OpenReadOnly(ctx, db)
	if err != nil {
		return nil
	}
	defer l.Close()
	ids, err := l.CompleteIDs(ctx, prefix, maxCompletions)
	if err != nil {
		return nil
	}
	return ids
}

// couldBeID reports whether s is the start of an id, or of an id's kind;
// anything else is left to the shell's completion of paths.
func couldBeID(s string) bool {
	for _, kind := range []string{"doc_", "el_", "fr_", "fail_"} {
		if strings.HasPrefix(s, kind) || strings.HasPrefix(kind, s) {
			return true
		}
	}
	return false
}
