package openai

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio"
)

func p(v float64) *float64 { return &v }
func n(v int64) *int64     { return &v }

func TestUSDMicrosExact(t *testing.T) {
	mini := Model{Model: "m", InputPerMTok: p(0.40), CachedInputPerMTok: p(0.10), OutputPerMTok: p(1.60)}
	noCached := Model{Model: "m", InputPerMTok: p(0.15), OutputPerMTok: p(0.60)}
	tests := []struct {
		name  string
		model Model
		usage folio.Usage
		want  *int64
	}{
		// 476·400000 + 1024·100000 + 120·1600000 = 484800000 → 484.8 → 485.
		{"mixed", mini, folio.Usage{InputTokens: 1500, CachedTokens: 1024, OutputTokens: 120}, n(485)},
		// 1M input tokens at USD 0.40 is 400000 µ$.
		{"one million input tokens", mini, folio.Usage{InputTokens: 1_000_000}, n(400_000)},
		// 5·100000 = 500000 → 0.5 → 1: half rounds up.
		{"half rounds up", mini, folio.Usage{InputTokens: 5, CachedTokens: 5}, n(1)},
		// 1·400000 → 0.4 → 0.
		{"below half rounds down", mini, folio.Usage{InputTokens: 1}, n(0)},
		// 3·150000 + 1·600000 = 1050000 → 1.05 → 1.
		{"just over one", noCached, folio.Usage{InputTokens: 3, OutputTokens: 1}, n(1)},
		// Cached tokens cost the input price when theirs is unknown:
		// 10·150000 = 1500000 → 1.5 → 2.
		{"cached at the input price", noCached, folio.Usage{InputTokens: 10, CachedTokens: 10}, n(2)},
		// More cached than prompt tokens: all are cached.
		{"cached clamped", mini, folio.Usage{InputTokens: 10, CachedTokens: 50}, n(1)},
		{"nothing used", mini, folio.Usage{}, n(0)},
		{"unknown input price", Model{OutputPerMTok: p(1)}, folio.Usage{InputTokens: 1, OutputTokens: 1}, nil},
		{"unknown output price", Model{InputPerMTok: p(1)}, folio.Usage{InputTokens: 1, OutputTokens: 1}, nil},
		{"unknown price of unused tokens", Model{InputPerMTok: p(1)}, folio.Usage{InputTokens: 2_000_000}, n(2_000_000)},
		{"unknown prices, nothing used", Model{}, folio.Usage{}, n(0)},
		{"no price is zero", Model{InputPerMTok: p(0), OutputPerMTok: p(0)}, folio.Usage{InputTokens: 9, OutputTokens: 9}, n(0)},
		// Six decimals are exact: 0.000001 $/MTok is 1 µ$/MTok, and 1.5M
		// tokens of it cost 1.5 µ$ → 2.
		{"six decimals", Model{InputPerMTok: p(0.000001)}, folio.Usage{InputTokens: 1_500_000}, n(2)},
		// 9·10¹⁸ tokens at USD 1000000/MTok is beyond int64.
		{"overflow is unknown", Model{InputPerMTok: p(1e6)}, folio.Usage{InputTokens: 9e18}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := newPrices(tt.model)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, pr.usdMicros(tt.usage)); diff != "" {
				t.Errorf("usdMicros(%+v) (-want +got):\n%s", tt.usage, diff)
			}
		})
	}
}

func TestPricesInMicrosPerMTok(t *testing.T) {
	pr, err := newPrices(Model{InputPerMTok: p(0.40), CachedInputPerMTok: p(0.075), OutputPerMTok: p(2.123456)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*int64{n(400_000), n(75_000), n(2_123_456)}, []*int64{pr.in, pr.cachedIn, pr.out}); diff != "" {
		t.Errorf("prices (-want +got):\n%s", diff)
	}
}
