package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched by every error about the policy file or an
// endpoint's key, so that the caller can tell a configuration error (exit
// 78) from others: errors.Is(err, config.ErrInvalid).
var ErrInvalid = errors.New("invalid configuration")

// Error is one problem with a policy file: where it is and what is wrong.
// Its text reads "folio.yaml:7: models.small.endpoint: unknown endpoint".
type Error struct {
	File  string // as given to Load or Parse; empty when not about a file
	Line  int    // 1-based; 0 when the problem is not on one line
	Field string // dotted path such as "routes.table[1].when"; may be empty
	Err   error
}

func (e *Error) Error() string {
	var b []byte
	switch {
	case e.File != "" && e.Line > 0:
		b = fmt.Appendf(b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b = fmt.Appendf(b, "%s: ", e.File)
	case e.Line > 0:
		b = fmt.Appendf(b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b = append(b, e.Field...)
		b = append(b, ": "...)
	}
	return string(b) + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// suggest returns ` (did you mean "x"?)` for the candidate closest to s
// when it is a likely typo of it, else "".
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := distance(s, c); d < bestDist && d <= max(1, len(c)/3) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// oneOf is suggest, or when nothing is close, a list of the candidates.
func oneOf(s string, candidates []string) string {
	if hint := suggest(s, candidates); hint != "" || len(candidates) == 0 {
		return hint
	}
	return " (one of " + strings.Join(candidates, ", ") + ")"
}

// distance is the optimal string alignment distance between a and b, in
// bytes: insertions, deletions, substitutions and swaps of neighbours.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // not a typo; keeps the cost bounded
	}
	rows := [3][]int{make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)}
	for j := range rows[1] {
		rows[1][j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev2, prev, cur := rows[0], rows[1], rows[2]
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		rows = [3][]int{prev, cur, prev2}
	}
	return rows[1][len(b)]
}
