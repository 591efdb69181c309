package openai

import (
	"fmt"
	"math"
	"math/big"

	"github.com/folio/folio"
)

// maxPrice bounds a price in USD per million tokens, to catch a price
// written in the wrong unit.
const maxPrice = 1e6

// prices are a model's prices in integer micro-dollars per million tokens
// (USD 0.40/MTok is 400000); nil is unknown. A price with up to six
// decimals converts exactly.
type prices struct {
	in, cachedIn, out *int64
}

// newPrices converts the per-million-token USD prices of m.
func newPrices(m Model) (prices, error) {
	var p prices
	var err error
	if p.in, err = microsPerMTok("input", m.InputPerMTok); err != nil {
		return p, err
	}
	if p.cachedIn, err = microsPerMTok("cached input", m.CachedInputPerMTok); err != nil {
		return p, err
	}
	if p.out, err = microsPerMTok("output", m.OutputPerMTok); err != nil {
		return p, err
	}
	return p, nil
}

func microsPerMTok(name string, usd *float64) (*int64, error) {
	if usd == nil {
		return nil, nil
	}
	if math.IsNaN(*usd) || *usd < 0 || *usd > maxPrice {
		return nil, fmt.Errorf("%s price %v per million tokens is not between 0 and %v", name, *usd, maxPrice)
	}
	v := int64(math.Round(*usd * 1e6))
	return &v, nil
}

// usdMicros returns the price of u in micro-dollars, or nil when a price
// that u needs is unknown. With prices P in micro-dollars per million
// tokens:
//
//	uncached   = input − cached          (input counts cached tokens too)
//	usd_micros = ⌊(uncached·P_in + cached·P_cached + output·P_out + 500000) / 1000000⌋
//
// that is the exact sum rounded half up to a whole micro-dollar. Cached
// tokens cost P_in when the cached price is unknown. A price is needed only
// for a non-zero token count, so a call that used no tokens costs 0 even
// when the model's prices are unknown. Products are computed in big
// integers; a result beyond int64 is reported as unknown.
func (p prices) usdMicros(u folio.Usage) *int64 {
	cached := min(max(u.CachedTokens, 0), max(u.InputTokens, 0))
	uncached := max(u.InputTokens, 0) - cached
	cachedPrice := p.cachedIn
	if cachedPrice == nil {
		cachedPrice = p.in
	}
	sum := new(big.Int)
	for _, term := range []struct {
		tokens int64
		price  *int64
	}{{uncached, p.in}, {cached, cachedPrice}, {max(u.OutputTokens, 0), p.out}} {
		if term.tokens == 0 {
			continue
		}
		if term.price == nil {
			return nil
		}
		sum.Add(sum, new(big.Int).Mul(big.NewInt(term.tokens), big.NewInt(*term.price)))
	}
	sum.Add(sum, big.NewInt(500000))
	sum.Quo(sum, big.NewInt(1000000))
	if !sum.IsInt64() {
		return nil
	}
	v := sum.Int64()
	return &v
}
