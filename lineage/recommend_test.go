package lineage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// times returns n copies of e.
func times(n int, e qElement) []qElement { return slices.Repeat([]qElement{e}, n) }

func model(rule, name, status string, usd int64) folio.Call {
	return attempt(rule, name, status, price(usd), time.Millisecond)
}

// escalationEvidence is a table ledger for KindLowerEscalation: tables
// tried on local/table, fine or not by confidence (okAt80 of 13 at 0.8),
// and tables sent to openai/small without a local attempt, $0.01 each.
func escalationEvidence(okAt80 int) []qElement {
	local := func(status string) folio.Call { return attempt("table#1", "local/table", status, nil, 0) }
	fine := qElement{typ: folio.TableType, calls: []folio.Call{local(folio.CallOK)}}
	escalated := qElement{typ: folio.TableType, calls: []folio.Call{local(folio.CallRejected),
		model("table#2", "openai/small", folio.CallOK, 1000)}}
	sentUp := qElement{typ: folio.TableType, calls: []folio.Call{model("table#2", "openai/small", folio.CallOK, 10000)}}
	at := func(conf float64, els []qElement) []qElement {
		for i := range els {
			els[i].conf = conf
		}
		return els
	}
	return slices.Concat(
		at(0.9, times(10, fine)),
		at(0.8, times(okAt80, fine)), at(0.8, times(13-okAt80, escalated)),
		at(0.6, times(5, fine)), at(0.6, times(5, escalated)),
		at(0.95, times(1, sentUp)), at(0.85, times(4, sentUp)), at(0.5, times(2, sentUp)),
	)
}

// wastedEvidence is a paragraph ledger for KindDropWastedLink: n answers of
// openai/tiny at $0.0003, rejected ones escalated to openai/big.
func wastedEvidence(n, rejected int) []qElement {
	tiny := func(status string) folio.Call { return model("paragraph#2", "openai/tiny", status, 300) }
	return slices.Concat(
		times(rejected, qElement{typ: folio.Paragraph, conf: 1, calls: []folio.Call{tiny(folio.CallRejected),
			model("paragraph#3", "openai/big", folio.CallOK, 2000)}}),
		times(n-rejected, qElement{typ: folio.Paragraph, conf: 1, calls: []folio.Call{tiny(folio.CallOK)}}),
	)
}

// cheaperEvidence is a formula ledger for KindCheaperModel: 20 formulas
// asked openai/small first ($0.001, okSmall accepted) and 20 openai/large
// ($0.005, 19 accepted).
func cheaperEvidence(okSmall int) []qElement {
	f := func(name string, usd int64, status string) qElement {
		return qElement{typ: folio.Formula, conf: 0.5, calls: []folio.Call{model("formula#1", name, status, usd)}}
	}
	return slices.Concat(
		times(okSmall, f("openai/small", 1000, folio.CallOK)), times(20-okSmall, f("openai/small", 1000, folio.CallRejected)),
		times(19, f("openai/large", 5000, folio.CallOK)), times(1, f("openai/large", 5000, folio.CallRejected)),
	)
}

// budgetEvidence is an image ledger for KindBudgetDegraded: degraded
// images the budget kept from openai/vision, and two it answered for
// $0.004 and $0.006.
func budgetEvidence(degraded int) []qElement {
	return slices.Concat(
		times(degraded, qElement{typ: folio.ImageType, conf: 1, status: folio.StatusDegraded, reason: "budget",
			fell: "openai/vision", calls: []folio.Call{refusedCall("image#1", "openai/vision")}}),
		[]qElement{
			{typ: folio.ImageType, conf: 1, calls: []folio.Call{model("image#1", "openai/vision", folio.CallOK, 4000)}},
			{typ: folio.ImageType, conf: 1, calls: []folio.Call{model("image#1", "openai/vision", folio.CallOK, 6000)}},
		},
	)
}

func recommend(t *testing.T, els ...[]qElement) []lineage.Recommendation {
	t.Helper()
	db := newDB(t)
	record(t, db, "run_1", qualityDoc("qr", slices.Concat(els...)...))
	recs, err := db.Recommendations(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestRecommendations(t *testing.T) {
	got := recommend(t, escalationEvidence(12), wastedEvidence(20, 12), cheaperEvidence(19), budgetEvidence(3))
	want := []lineage.Recommendation{
		{
			N: 1, Kind: lineage.KindCheaperModel,
			Title: "Ask openai/small before openai/large for formula elements",
			Evidence: "as the first model asked for formula elements, openai/small was accepted 95% of the time (19 of 20) " +
				"at $0.001000 a call and openai/large 95% (19 of 20) at $0.005000: asking openai/small for those 20 " +
				"would have saved about $0.080000",
			SavingUSDMicros: 80000,
			Details: map[string]any{
				"type": "formula", "cheap_model": "openai/small", "model": "openai/large",
				"cheap_calls": 20, "cheap_accepted": 19, "cheap_mean_usd_micros": int64(1000),
				"calls": 20, "accepted": 19, "mean_usd_micros": int64(5000), "usd_micros": int64(100000),
			},
		},
		{
			// 22 of the 23 local answers between 0.8 and 0.95 were fine;
			// 5 tables there cost $0.05: 50000 × 22 / 23.
			N: 2, Kind: lineage.KindLowerEscalation,
			Title: "Escalate table elements to a model only below confidence 0.8",
			Evidence: "table elements with segmenter confidence 0.8 to 0.95 were accepted from local/table 95% of the time " +
				"(22 of 23); 5 elements in that range went to a model without a local attempt, for $0.050000: " +
				"escalating only below 0.8 would have saved about $0.047826",
			SavingUSDMicros: 47826,
			Details: map[string]any{
				"type": "table", "local_model": "local/table", "threshold": 0.8, "max_confidence": 0.95,
				"evidence_elements": 23, "evidence_fine": 22, "fine_rate": 22.0 / 23,
				"escalated_elements": 5, "escalated_usd_micros": int64(50000),
			},
		},
		{
			N: 3, Kind: lineage.KindDropWastedLink,
			Title: "Drop or fix openai/tiny for paragraph elements (rule paragraph#2)",
			Evidence: "openai/tiny (rule paragraph#2) had 12 of 20 answers for paragraph elements rejected (60%); " +
				"$0.003600 of its $0.006000 went on rejected answers",
			SavingUSDMicros: 3600,
			Details: map[string]any{
				"type": "paragraph", "rule": "paragraph#2", "model": "openai/tiny",
				"answers": 20, "rejected": 12, "rejection_rate": 0.6,
				"rejected_usd_micros": int64(3600), "usd_micros": int64(6000),
			},
		},
		{
			N: 4, Kind: lineage.KindBudgetDegraded,
			Title: "Raise the budget or route fewer image elements to openai/vision",
			Evidence: "3 image elements were left degraded without openai/vision because the budget ran out; " +
				"at openai/vision's mean price for an accepted image answer (2 seen), finishing them would cost about $0.015000",
			Details: map[string]any{"type": "image", "model": "openai/vision", "elements": 3,
				"cost_to_finish_usd_micros": int64(15000)},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Recommendations (-want +got):\n%s", d)
	}
}

// Near misses: the evidence is one element or answer short of what each
// kind needs, so nothing is advised.
func TestRecommendations_quiet(t *testing.T) {
	for _, tc := range []struct {
		name string
		els  []qElement
	}{
		// 20 of 23 local answers fine (87%); above 0.8, only 10.
		{"escalation_local_not_fine_enough", escalationEvidence(10)},
		// Enough fine local answers, but every table sent up is below them.
		{"escalation_nothing_sent_up_above", slices.Delete(escalationEvidence(12), 33, 38)},
		{"wasted_below_half", wastedEvidence(20, 9)},
		{"wasted_too_few_answers", wastedEvidence(19, 12)},
		// openai/small accepted 85%, ten points under openai/large.
		{"cheaper_accepted_less_often", cheaperEvidence(17)},
		{"budget_nothing_degraded", budgetEvidence(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := recommend(t, tc.els); len(got) != 0 {
				t.Errorf("Recommendations = %v, want none", got)
			}
		})
	}
}

// Only the calls since the time asked count: the same evidence recorded
// earlier advises nothing.
func TestRecommendations_since(t *testing.T) {
	db := newDB(t)
	record(t, db, "run_1", qualityDoc("qr", wastedEvidence(20, 12)...))
	for since, want := range map[time.Time]int{t0: 1, t0.Add(time.Second): 0} {
		recs, err := db.Recommendations(context.Background(), since)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != want {
			t.Errorf("Recommendations since %v = %v, want %d", since, recs, want)
		}
	}
}

func TestRecommendationString(t *testing.T) {
	r := lineage.Recommendation{N: 2, Kind: lineage.KindDropWastedLink, Title: "Drop it", Evidence: "12 of 20 rejected",
		SavingUSDMicros: 3600}
	want := "2. Drop it [drop_wasted_link, saves about $0.003600]\n   12 of 20 rejected"
	if got := r.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	r.SavingUSDMicros = 0
	if got := r.String(); strings.Contains(got, "saves") {
		t.Errorf("String() without a saving = %q, want no saving", got)
	}
}

// Quality reads once what LinkQuality and Recommendations read apart, and
// returns the same.
func TestQuality(t *testing.T) {
	db := newDB(t)
	record(t, db, "run_1", qualityDoc("qr", slices.Concat(escalationEvidence(12), wastedEvidence(20, 12),
		cheaperEvidence(19), budgetEvidence(3))...))
	ctx := context.Background()
	links, recs, err := db.Quality(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantLinks, err := db.LinkQuality(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantRecs, err := db.Recommendations(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(wantRecs) != 4 {
		t.Fatalf("%d recommendations, want the fixture's 4", len(wantRecs))
	}
	if d := cmp.Diff(wantLinks, links); d != "" {
		t.Errorf("links (-LinkQuality +Quality):\n%s", d)
	}
	if d := cmp.Diff(wantRecs, recs); d != "" {
		t.Errorf("recommendations (-Recommendations +Quality):\n%s", d)
	}
}

// A large window is read in two halves at once, meeting at a recording's
// first call; the reports are the same as read whole.
func TestQuality_split(t *testing.T) {
	db := qualityLedger(t)
	for i, els := range [][]qElement{escalationEvidence(12), wastedEvidence(20, 12), cheaperEvidence(19), budgetEvidence(3)} {
		record(t, db, fmt.Sprintf("run_s%d", i), qualityDoc(fmt.Sprintf("qs%d", i), els...))
	}
	ctx := context.Background()
	wantLinks, err := db.LinkQuality(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantRecs, err := db.Recommendations(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer lineage.SetMinSplitCalls(1)()
	split := lineage.WindowsSplit()
	links, recs, err := db.Quality(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if lineage.WindowsSplit() != split+1 {
		t.Fatal("the window was not read in halves")
	}
	if len(wantRecs) < 4 || len(wantLinks) < 4 {
		t.Fatalf("%d links, %d recommendations: the fixture should give more", len(wantLinks), len(wantRecs))
	}
	if d := cmp.Diff(wantLinks, links); d != "" {
		t.Errorf("links (-whole +halves):\n%s", d)
	}
	if d := cmp.Diff(wantRecs, recs); d != "" {
		t.Errorf("recommendations (-whole +halves):\n%s", d)
	}
}
