package route_test

import (
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestTallyCalls(t *testing.T) {
	small, large := "openai/small", "openai/large"
	frags := []folio.Fragment{
		{Calls: []folio.Call{
			{Rule: "table#1", Model: "local/table", USDMicros: zero(), Status: "rejected"},
			{Rule: "table#2", Model: small, Usage: tokens(1000, 200), USDMicros: usd(720), Status: route.CallEstimated, ErrorClass: folio.ClassDryRun},
		}},
		{Calls: []folio.Call{
			{Rule: "table#2", Model: small, Usage: folio.Usage{InputTokens: 900, CachedTokens: 100, OutputTokens: 100},
				USDMicros: usd(500), Status: "rejected", ErrorClass: "grounding"},
			{Rule: "table#3", Model: large, Usage: tokens(900, 100), USDMicros: zero(), SavedUSDMicros: usd(2600), CacheHit: true, Status: "ok"},
		}},
		{Calls: []folio.Call{
			{Rule: "image#1", Model: small, Usage: tokens(300, 50), Status: "ok"}, // price unknown
			{Rule: "image#2", Model: large, USDMicros: zero(), Status: "failed", ErrorClass: folio.ClassBudget},
		}},
	}
	tally := route.TallyCalls(frags[:1])
	tally.Add(frags[1:])

	wantRows := []route.TallyRow{{Model: large, Type: folio.ImageType, Refused: 1},
		{Model: large, Type: folio.TableType, Spend: folio.Spend{InputTokens: 900, OutputTokens: 100, Calls: 1, CacheHits: 1, SavedUSDMicros: 2600}},
		{Model: small, Type: folio.ImageType, Spend: folio.Spend{InputTokens: 300, OutputTokens: 50, Calls: 1, Unpriced: 1}},
		{Model: small, Type: folio.TableType, Estimated: 1, Spend: folio.Spend{InputTokens: 1900, CachedTokens: 100, OutputTokens: 300, Calls: 2, USDMicros: 1220}}}
	if diff := cmp.Diff(wantRows, tally.Rows()); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantModels := []route.TallyRow{{Model: large, Refused: 1, Spend: folio.Spend{InputTokens: 900, OutputTokens: 100, Calls: 1, CacheHits: 1, SavedUSDMicros: 2600}},
		{Model: small, Estimated: 1, Spend: folio.Spend{InputTokens: 2200, CachedTokens: 100, OutputTokens: 350, Calls: 3, USDMicros: 1220, Unpriced: 1}}}
	if diff := cmp.Diff(wantModels, tally.ByModel()); diff != "" {
		t.Errorf("by model (-want +got):\n%s", diff)
	}
	wantTypes := []route.TallyRow{{Type: folio.ImageType, Refused: 1, Spend: folio.Spend{InputTokens: 300, OutputTokens: 50, Calls: 1, Unpriced: 1}},
		{Type: folio.TableType, Estimated: 1, Spend: folio.Spend{InputTokens: 2800, CachedTokens: 100, OutputTokens: 400, Calls: 3, CacheHits: 1, USDMicros: 1220, SavedUSDMicros: 2600}}}
	if diff := cmp.Diff(wantTypes, tally.ByType()); diff != "" {
		t.Errorf("by type (-want +got):\n%s", diff)
	}
	wantTotal := route.TallyRow{Estimated: 1, Refused: 1, Spend: folio.Spend{InputTokens: 3100, CachedTokens: 100, OutputTokens: 450, Calls: 4, CacheHits: 1, USDMicros: 1220, Unpriced: 1, SavedUSDMicros: 2600}}
	if diff := cmp.Diff(wantTotal, tally.Total()); diff != "" {
		t.Errorf("total (-want +got):\n%s", diff)
	}

	var empty route.Tally
	if len(empty.Rows()) != 0 || empty.Total() != (route.TallyRow{}) {
		t.Error("the zero Tally is not empty")
	}
}

// The tally counts calls of every error class by folio's rule: refused
// ones apart, the others as model calls.
func TestTallyEveryErrorClass(t *testing.T) {
	var calls []folio.Call
	refused := 0
	for _, c := range folio.ErrorClasses() {
		calls = append(calls, folio.Call{Rule: "table#1", Model: "openai/small", Status: folio.CallFailed, ErrorClass: c})
		if c.Refused() {
			refused++
		}
	}
	var tl route.Tally
	tl.Add([]folio.Fragment{{Calls: calls}})
	total := tl.Total()
	if total.Refused != refused || total.Calls != len(calls)-refused {
		t.Errorf("tally: %d calls, %d refused; want %d and %d", total.Calls, total.Refused, len(calls)-refused, refused)
	}
}
