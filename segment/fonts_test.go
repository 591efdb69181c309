package segment

import (
	"testing"

	"github.com/folio/folio"
)

func TestFontStyle(t *testing.T) {
	tests := []struct {
		font             string
		engineBold       bool
		bold, ital, mono bool
	}{
		{"Arial-BoldMT", false, true, false, false},
		{"MyriadPro-Regular", true, false, false, false},
		{"SFBX1000", false, true, false, false},
		{"CMTT9", false, false, false, true},
		{"SFTI1000", false, false, true, false},
		{"Helvetica", true, true, false, false},
		{"ABCDEF+Times-BoldItalic", false, true, true, false},
		{"HelveticaNeueLTPro-Bd", false, true, false, false},
		{"Courier", false, false, false, true},
	}
	for _, tt := range tests {
		w := wordOf(folio.Word{Font: tt.font, Bold: tt.engineBold})
		fontStyle(w, map[string]nameStyle{})
		if w.Bold != tt.bold || w.Italic != tt.ital || w.Mono != tt.mono {
			t.Errorf("%s: bold %v italic %v mono %v, want %v %v %v", tt.font, w.Bold, w.Italic, w.Mono, tt.bold, tt.ital, tt.mono)
		}
	}
}
