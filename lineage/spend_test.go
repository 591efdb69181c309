package lineage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// spendLedger records five documents at chosen times, across a year's end
// and an ISO week that spans it (2026-W01 runs from Monday 2025-12-29):
//
//	when                       run    doc    model calls (usd micros)                              baseline
//	2025-12-30T10:00 (W01)     run_1  a.pdf  openai/small 1000; openai/large 300 rejected           5000
//	2026-01-02T23:59:59 (W01)  run_1  b.pdf  openai/large 2000; openai/small hit saving 400        7000
//	2026-01-05T00:00 (W02)     run_2  c.pdf  openai/small 500                                       3000
//	2026-01-05T08:00 (W02)     run_2  d.pdf  local only                                             100
//	2026-01-20T12:00 (W04)     run_2  e.pdf  openai/custom unpriced                                 none
//
// run_1 is tagged team=finance, run_2 has no tags. Each document also has
// a local call and a call refused by the budget, neither of which counts.
func spendLedger(t *testing.T) *lineage.DB {
	t.Helper()
	db := newDB(t)
	ctx := context.Background()
	var now time.Time
	db.Now = func() time.Time { return now }

	rejected := paid("openai/large", 300, 100, 0, 10)
	rejected.Status = folio.CallRejected
	refused := folio.Call{Model: "openai/large", Status: folio.CallFailed, ErrorClass: "budget", Error: "budget exhausted"}
	free := costElement{folio.Paragraph, []folio.Call{local("local/text"), refused}}
	docs := []struct {
		run string
		at  time.Time
		doc *folio.Document
	}{
		{"run_1", time.Date(2025, 12, 30, 10, 0, 0, 0, time.UTC), costDoc("sa", "a.pdf", price(5000), free,
			costElement{folio.TableType, []folio.Call{paid("openai/small", 1000, 1000, 100, 200)}},
			costElement{folio.ImageType, []folio.Call{rejected}})},
		{"run_1", time.Date(2026, 1, 2, 23, 59, 59, 999999999, time.UTC), costDoc("sb", "b.pdf", price(7000), free,
			costElement{folio.TableType, []folio.Call{paid("openai/large", 2000, 2000, 0, 300)}},
			costElement{folio.ImageType, []folio.Call{hit("openai/small", price(400), 500, 50)}})},
		{"run_2", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), costDoc("sc", "c.pdf", price(3000), free,
			costElement{folio.TableType, []folio.Call{paid("openai/small", 500, 800, 0, 100)}})},
		{"run_2", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), costDoc("sd", "d.pdf", price(100), free)},
		{"run_2", time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC), costDoc("se", "e.pdf", nil, free,
			costElement{folio.ImageType, []folio.Call{unpriced("openai/custom", 700, 70)}})},
	}
	now = docs[0].at
	for _, run := range []string{"run_1", "run_2"} {
		if err := db.StartRun(ctx, sampleRun(run, now)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetRunTags(ctx, "run_1", map[string]string{"team": "finance"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		now = d.at
		if err := db.RecordDocument(ctx, d.run, d.doc, nil); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// spendRow builds an expected row.
func spendRow(period string, start time.Time, key string, docs int, baseline *int64, s folio.Spend, rejected int64) lineage.PeriodSpend {
	return lineage.PeriodSpend{Period: period, Start: start, CostRow: lineage.CostRow{
		Key: key, Spend: s, RejectedUSDMicros: rejected, BaselineUSDMicros: baseline, Documents: docs}}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestSpendOverTime(t *testing.T) {
	db := spendLedger(t)
	// What each document's model calls cost.
	a := folio.Spend{Calls: 2, InputTokens: 1100, CachedTokens: 100, OutputTokens: 210, USDMicros: 1300}
	b := folio.Spend{Calls: 2, CacheHits: 1, InputTokens: 2500, OutputTokens: 350, USDMicros: 2000, SavedUSDMicros: 400}
	c := folio.Spend{Calls: 1, InputTokens: 800, OutputTokens: 100, USDMicros: 500}
	e := folio.Spend{Calls: 1, Unpriced: 1, InputTokens: 700, OutputTokens: 70}
	sum := func(ss ...folio.Spend) folio.Spend {
		var t folio.Spend
		for _, s := range ss {
			t.Merge(s)
		}
		return t
	}
	large := folio.Spend{Calls: 1, InputTokens: 100, OutputTokens: 10, USDMicros: 300}

	tests := []struct {
		name   string
		period string
		by     string
		since  time.Time
		want   []lineage.PeriodSpend
	}{
		{"days", "day", "", time.Time{}, []lineage.PeriodSpend{
			spendRow("2025-12-30", day(2025, 12, 30), "", 1, price(5000), a, 300),
			spendRow("2026-01-02", day(2026, 1, 2), "", 1, price(7000), b, 0),
			spendRow("2026-01-05", day(2026, 1, 5), "", 2, price(3100), c, 0),
			spendRow("2026-01-20", day(2026, 1, 20), "", 1, nil, e, 0),
		}},
		{"ISO weeks across the year's end", "week", "", time.Time{}, []lineage.PeriodSpend{
			spendRow("2026-W01", day(2025, 12, 29), "", 2, price(12000), sum(a, b), 300),
			spendRow("2026-W02", day(2026, 1, 5), "", 2, price(3100), c, 0),
			spendRow("2026-W04", day(2026, 1, 19), "", 1, nil, e, 0),
		}},
		{"months, one baseline unknown", "month", "", time.Time{}, []lineage.PeriodSpend{
			spendRow("2025-12", day(2025, 12, 1), "", 1, price(5000), a, 300),
			spendRow("2026-01", day(2026, 1, 1), "", 4, nil, sum(b, c, e), 0),
		}},
		{"weeks by model", "week", "model", time.Time{}, []lineage.PeriodSpend{
			spendRow("2026-W01", day(2025, 12, 29), "openai/large", 2, nil, sum(large, folio.Spend{Calls: 1, InputTokens: 2000, OutputTokens: 300, USDMicros: 2000}), 300),
			spendRow("2026-W01", day(2025, 12, 29), "openai/small", 2, nil, folio.Spend{Calls: 2, CacheHits: 1, InputTokens: 1500, CachedTokens: 100, OutputTokens: 250, USDMicros: 1000, SavedUSDMicros: 400}, 0),
			spendRow("2026-W02", day(2026, 1, 5), "openai/small", 1, nil, c, 0),
			spendRow("2026-W04", day(2026, 1, 19), "openai/custom", 1, nil, e, 0),
		}},
		{"months by type", "month", "type", time.Time{}, []lineage.PeriodSpend{
			spendRow("2025-12", day(2025, 12, 1), "image", 1, nil, large, 300),
			spendRow("2025-12", day(2025, 12, 1), "table", 1, nil, folio.Spend{Calls: 1, InputTokens: 1000, CachedTokens: 100, OutputTokens: 200, USDMicros: 1000}, 0),
			spendRow("2026-01", day(2026, 1, 1), "image", 2, nil, folio.Spend{Calls: 2, CacheHits: 1, Unpriced: 1, InputTokens: 1200, OutputTokens: 120, SavedUSDMicros: 400}, 0),
			spendRow("2026-01", day(2026, 1, 1), "table", 2, nil, folio.Spend{Calls: 2, InputTokens: 2800, OutputTokens: 400, USDMicros: 2500}, 0),
		}},
		{"months by tag, untagged last", "month", "tag", time.Time{}, []lineage.PeriodSpend{
			spendRow("2025-12", day(2025, 12, 1), "team=finance", 1, price(5000), a, 300),
			spendRow("2026-01", day(2026, 1, 1), "team=finance", 1, price(7000), b, 0),
			spendRow("2026-01", day(2026, 1, 1), lineage.Untagged, 3, nil, sum(c, e), 0),
		}},
		{"weeks by document since the 3rd", "week", "document", day(2026, 1, 3), []lineage.PeriodSpend{
			spendRow("2026-W02", day(2026, 1, 5), "c.pdf", 1, price(3000), c, 0),
			spendRow("2026-W02", day(2026, 1, 5), "d.pdf", 1, price(100), folio.Spend{}, 0),
			spendRow("2026-W04", day(2026, 1, 19), "e.pdf", 1, nil, e, 0),
		}},
		{"since is inclusive, to the nanosecond", "day", "", time.Date(2026, 1, 2, 23, 59, 59, 999999999, time.UTC), []lineage.PeriodSpend{
			spendRow("2026-01-02", day(2026, 1, 2), "", 1, price(7000), b, 0),
			spendRow("2026-01-05", day(2026, 1, 5), "", 2, price(3100), c, 0),
			spendRow("2026-01-20", day(2026, 1, 20), "", 1, nil, e, 0),
		}},
		{"nothing since", "month", "model", day(2027, 1, 1), []lineage.PeriodSpend{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.SpendOverTime(context.Background(), tt.period, tt.by, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SpendOverTime(%s, %q, %v) (-want +got):\n%s", tt.period, tt.by, tt.since, diff)
			}
		})
	}

	// Summed over every period, the report agrees with folio cost.
	for _, period := range lineage.Periods() {
		rows, err := db.SpendOverTime(context.Background(), period, "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var total folio.Spend
		for _, r := range rows {
			total.Merge(r.Spend)
		}
		rep, err := db.Cost(context.Background(), "model", lineage.Spent)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rep.Total.Spend, total); diff != "" {
			t.Errorf("by %s: periods sum to other than folio cost (-cost +periods):\n%s", period, diff)
		}
	}
}

func TestSpendOverTime_badArguments(t *testing.T) {
	db := newDB(t)
	for _, tt := range []struct{ period, by, want string }{
		{"year", "", "want one of day, week, month"},
		{"Day", "", "want one of day, week, month"},
		{"week", "run", "want one of model, type, tag, document"},
		{"week", "page", "want one of model, type, tag, document"},
	} {
		if _, err := db.SpendOverTime(context.Background(), tt.period, tt.by, time.Time{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SpendOverTime(%q, %q) = %v, want an error with %q", tt.period, tt.by, err, tt.want)
		}
	}
}

func TestPeriodOf(t *testing.T) {
	for _, tc := range []struct {
		period string
		at     time.Time
		name   string
		start  time.Time
	}{
		{"day", time.Date(2026, 1, 2, 23, 59, 59, 0, time.UTC), "2026-01-02", day(2026, 1, 2)},
		// 2026-W01 starts in 2025.
		{"week", time.Date(2025, 12, 31, 8, 0, 0, 0, time.UTC), "2026-W01", day(2025, 12, 29)},
		{"week", time.Date(2026, 1, 4, 23, 0, 0, 0, time.UTC), "2026-W01", day(2025, 12, 29)},
		{"month", time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), "2026-02", day(2026, 2, 1)},
		// Another zone is read in UTC: 01:00 in UTC+2 is the day before.
		{"day", time.Date(2026, 3, 1, 1, 0, 0, 0, time.FixedZone("+2", 2*3600)), "2026-02-28", day(2026, 2, 28)},
	} {
		name, start, err := lineage.PeriodOf(tc.period, tc.at)
		if err != nil || name != tc.name || !start.Equal(tc.start) {
			t.Errorf("PeriodOf(%s, %v) = %s, %v, %v; want %s, %v", tc.period, tc.at, name, start, err, tc.name, tc.start)
		}
	}
	if _, _, err := lineage.PeriodOf("year", time.Now()); err == nil {
		t.Error("PeriodOf(year) did not fail")
	}
}
