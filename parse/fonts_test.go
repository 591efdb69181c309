package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFontName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ABCDEF+Helvetica-Bold", "Helvetica-Bold"},
		{"Helvetica", "Helvetica"},
		{"AbCDEF+Times", "AbCDEF+Times"}, // not a subset tag
		{"  Arial,Bold\x00", "Arial,Bold"},
	}
	for _, tt := range tests {
		if got := fontName(tt.in); got != tt.want {
			t.Errorf("fontName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFontStyle(t *testing.T) {
	type style struct{ Bold, Italic, Mono bool }
	tests := []struct {
		name   string
		weight int
		flags  uint32
		want   style
	}{
		{"Helvetica", 0, 0, style{}},
		{"Arial,Bold", 0, 0, style{Bold: true}},
		{"TimesNewRomanPS-BoldItalicMT", 0, 0, style{Bold: true, Italic: true}},
		{"MinionPro-It", 0, 0, style{Italic: true}},
		{"MinionPro-SemiboldIt", 0, 0, style{Bold: true, Italic: true}},
		{"Inter", 700, 0, style{Bold: true}},
		{"Inter", 400, flagForceBold, style{Bold: true}},
		{"Inter", 400, flagItalic, style{Italic: true}},
		{"CourierNewPSMT", 0, 0, style{Mono: true}},
		{"Foo", 0, flagFixedPitch, style{Mono: true}},
		{"SFBX1000", 0, 0, style{Bold: true}},
		{"CMTI10", 0, 0, style{Italic: true}},
		{"CMTT10", 0, 0, style{Mono: true}},
		{"Italian-Regular", 0, 0, style{Italic: false}},
		{"Montserrat-Regular", 704, 0, style{}},
		{"Calibri-Light", 650, 0, style{}},
		{"Montserrat-Bold", 828, 0, style{Bold: true}},
		{"Inter-Regular", 400, flagForceBold, style{Bold: true}},
	}
	for _, tt := range tests {
		b, i, m := fontStyle(tt.name, tt.weight, tt.flags)
		if diff := cmp.Diff(tt.want, style{b, i, m}); diff != "" {
			t.Errorf("fontStyle(%q, %d, %#x) (-want +got):\n%s", tt.name, tt.weight, tt.flags, diff)
		}
	}
}
