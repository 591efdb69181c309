package folio

import "testing"

func TestVersusBaseline(t *testing.T) {
	for _, tt := range []struct {
		cost, baseline int64
		lower          bool
		want           string
	}{
		{272, 1130, false, "75.9% below the modelled baseline"},
		{272, 1130, true, "at most 75.9% below the modelled baseline"},
		{1130, 1130, false, "0.0% below the modelled baseline"},
		{2720, 1940, false, "1.4× the modelled baseline"},
		{2720, 1940, true, "at least 1.4× the modelled baseline"},
		{5, 0, false, ""},
	} {
		if got := VersusBaseline(tt.cost, tt.baseline, tt.lower); got != tt.want {
			t.Errorf("VersusBaseline(%d, %d, %v) = %q, want %q", tt.cost, tt.baseline, tt.lower, got, tt.want)
		}
	}
}
