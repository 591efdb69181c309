package segment

import (
	"strings"
	"testing"
)

func TestListMarker(t *testing.T) {
	tests := []struct {
		line   string
		marker string
	}{
		{"• First item", "•"},
		{"•Glued item", "•"},
		{"- dash item", "-"},
		{"1. Numbered", "1."},
		{"12) Numbered", "12)"},
		{"(a) Lettered", "(a)"},
		{"b) Lettered", "b)"},
		{"iv. Roman", "iv."},
		{"\uf0b7 Symbol font bullet", "\uf0b7"},
		{"1.2 Section heading", ""},
		{"-5 degrees", ""},
		{"A sentence", ""},
		{"2014 was a year", ""},
		{"•", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var ws []*word
			x := 10.0
			for _, f := range strings.Fields(tt.line) {
				ws = append(ws, mkWord(f, x, 10, x+float64(len(f))*5, false))
				x += float64(len(f))*5 + 3
			}
			m, _ := listMarker(newLine(ws))
			if m != tt.marker {
				t.Errorf("listMarker(%q) = %q, want %q", tt.line, m, tt.marker)
			}
		})
	}
}
