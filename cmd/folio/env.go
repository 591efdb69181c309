package main

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envFlags are the flags a FOLIO_* environment variable fills, on every
// command that has them: the global ones and those naming files.
var envFlags = []string{"log-level", "log-format", "config", "output", "db"}

// envName is the variable that fills a flag: FOLIO_ and the flag's name in
// capitals, dashes as underscores (--log-level: FOLIO_LOG_LEVEL).
func envName(flag string) string {
	return "FOLIO_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// flagsFromEnv sets each of envFlags that c has and its command line left
// unset from its variable, as looked up by lookup (os.LookupEnv). A flag
// on the command line wins; an empty variable counts as unset. The flags'
// own checks apply, and a failure names the variable.
func flagsFromEnv(c *cobra.Command, lookup func(string) (string, bool)) error {
	for _, name := range envFlags {
		f := c.Flags().Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		v, ok := lookup(envName(name))
		if !ok || v == "" {
			continue
		}
		// Value.Set leaves Changed false: it still means "on the command line".
		if err := f.Value.Set(v); err != nil {
			return usageErrorf("environment variable %s=%q: %v", envName(name), v, err)
		}
	}
	return nil
}

// envHelp lists the variables for the root command's help.
func envHelp() string {
	var b strings.Builder
	for _, name := range envFlags {
		fmt.Fprintf(&b, "  %-18s --%s\n", envName(name), name)
	}
	return b.String()
}

// checkedString is a string flag whose values are checked when set, on the
// command line or from the environment alike.
type checkedString struct {
	p     *string
	check func(string) error
}

func (s *checkedString) String() string { return *s.p }
func (s *checkedString) Type() string   { return "string" }

func (s *checkedString) Set(v string) error {
	if err := s.check(v); err != nil {
		return err
	}
	*s.p = v
	return nil
}

var _ pflag.Value = (*checkedString)(nil)

// logLevels and logFormats are the values --log-level and --log-format
// take (slog also reads "WARN" or "info+2").
var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"text", "json"}
)

func checkLevel(v string) error {
	var level slog.Level
	if level.UnmarshalText([]byte(v)) != nil {
		return fmt.Errorf("want debug, info, warn or error")
	}
	return nil
}

func checkFormat(v string) error {
	if !slices.Contains(logFormats, v) {
		return fmt.Errorf("want text or json")
	}
	return nil
}

// addFlags declares the flags every command shares.
func (g *globalOptions) addFlags(cmd *cobra.Command) {
	g.logLevel, g.logFormat = "info", "text"
	f := cmd.PersistentFlags()
	f.Var(&checkedString{&g.logLevel, checkLevel}, "log-level", "diagnostics level: "+strings.Join(logLevels, ", "))
	f.Var(&checkedString{&g.logFormat, checkFormat}, "log-format", "diagnostics format on stderr: "+strings.Join(logFormats, " or "))
	completeWith(cmd, "log-level", logLevels)
	completeWith(cmd, "log-format", logFormats)
}
