package serve_test

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// spendNow is the clock of the spend ledger and its server.
var spendNow = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

// models are eight models at prices of $0.0001 to $0.0008 a call: more
// than the chart draws on their own.
var models = []string{"openai/a", "openai/b", "openai/c", "openai/d", "openai/e", "openai/f", "openai/g", "openai/h"}

// spendDoc is a document whose element i calls models[i] (for i < n), its
// tables paying twice; baseline nil is unknown.
func spendDoc(sha string, n int, baseline *int64) *folio.Document {
	var els []routedEl
	for i, m := range models[:n] {
		typ := folio.Paragraph
		if i%3 == 0 {
			typ = folio.TableType
		}
		c := paidCall("r", m, folio.CallOK, int64(100*(i+1)))
		els = append(els, routedEl{typ: typ, calls: []folio.Call{c}})
		if typ == folio.TableType {
			els = append(els, routedEl{typ: typ, calls: []folio.Call{c}})
		}
	}
	els = append(els, routedEl{typ: folio.Heading, calls: []folio.Call{paidCall("h", "local/text", folio.CallOK, 0)}})
	return routedDoc(sha, sha+".pdf", baseline, els...)
}

// newSpendLedger records documents today, two and five days ago (the last
// without a baseline), 47 days ago (in the weeks' and months' windows,
// not the days') and a year and more ago (in none).
func newSpendLedger(t *testing.T) (*lineage.DB, http.Handler) {
	t.Helper()
	out := t.TempDir()
	c := &clock{now: spendNow}
	db := openLedger(t, out, c)
	at := func(days int) time.Time { return spendNow.AddDate(0, 0, -days).Add(-time.Hour) }
	recordRun(t, db, c, "run_1", []time.Time{at(400), at(47), at(5), at(2), at(0)},
		spendDoc("s400", 8, price(5000)), spendDoc("s47", 4, price(6000)), spendDoc("s5", 3, nil),
		spendDoc("s2", 8, price(9000)), spendDoc("s0", 6, price(8000)))
	c.now = spendNow
	return db, newServer(t, out, db, c).Handler()
}

func usdText(m int64) string { return fmt.Sprintf("$%.6f", float64(m)/1e6) }

// chartText is an amount as the chart's hover titles write it: to the
// cent, or to the micro-dollar below a cent.
func chartText(m int64) string {
	if m < 10000 {
		return usdText(m)
	}
	return fmt.Sprintf("$%.2f", float64(m)/1e6)
}

// spendTable reads the spend-over-time table of a cost page: its header
// and its rows by period, each a list of cells.
func spendTable(t *testing.T, body string) (header []string, periods []string, rows map[string][]string) {
	t.Helper()
	i := strings.Index(body, `<table class="cost spend-time">`)
	if i < 0 {
		t.Fatal("no spend-over-time table")
	}
	table := body[i : i+strings.Index(body[i:], "</table>")]
	for _, m := range regexp.MustCompile(`<th[^>]*>([^<]*)</th>`).FindAllStringSubmatch(table, -1) {
		header = append(header, m[1])
	}
	rows = map[string][]string{}
	cell := regexp.MustCompile(`<td class="num">(.*?)</td>`)
	for _, m := range regexp.MustCompile(`<tr><td>([^<]*)</td>(.*)</tr>`).FindAllStringSubmatch(table, -1) {
		periods = append(periods, m[1])
		for _, c := range cell.FindAllStringSubmatch(m[2], -1) {
			rows[m[1]] = append(rows[m[1]], c[1])
		}
	}
	return header, periods, rows
}

func TestCostSpendOverTime(t *testing.T) {
	db, h := newSpendLedger(t)
	ctx := context.Background()
	today := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		query         string
		period, by    string // by as the chart splits
		since         time.Time
		first, last   string
		periods       int
		outOfWindowIn bool // the document of 47 days ago is in the window
	}{
		{"?by=model", "day", "model", today.AddDate(0, 0, -29), "2026-02-19", "2026-03-20", 30, false},
		{"?by=type&period=week", "week", "type", time.Date(2025, 9, 22, 0, 0, 0, 0, time.UTC), "2025-W39", "2026-W12", 26, true},
		{"?by=run&period=month", "month", "", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), "2025-04", "2026-03", 12, true},
		{"?by=document", "day", "document", today.AddDate(0, 0, -29), "2026-02-19", "2026-03-20", 30, false},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res, body := get(t, h, "/cost"+tc.query)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /cost%s = %d\n%s", tc.query, res.StatusCode, body)
			}
			totals, err := db.SpendOverTime(ctx, tc.period, "", tc.since)
			if err != nil {
				t.Fatal(err)
			}
			split := totals
			if tc.by != "" {
				if split, err = db.SpendOverTime(ctx, tc.period, tc.by, tc.since); err != nil {
					t.Fatal(err)
				}
			}
			header, periods, rows := spendTable(t, body)

			// Every period of the window, in order, empty ones included.
			if len(periods) != tc.periods || periods[0] != tc.first || periods[len(periods)-1] != tc.last {
				t.Fatalf("periods %v, want %d from %s to %s", periods, tc.periods, tc.first, tc.last)
			}

			// The series: the six keys that spent most, then other.
			spend := map[string]int64{}
			for _, r := range split {
				spend[r.Key] += r.USDMicros
			}
			keys := slices.SortedFunc(func(yield func(string) bool) {
				for k := range spend {
					if !yield(k) {
						return
					}
				}
			}, func(a, b string) int { return cmp.Or(cmp.Compare(spend[b], spend[a]), cmp.Compare(a, b)) })
			if len(keys) > 6 {
				keys = append(keys[:6], "other")
			}
			if tc.by == "" {
				keys = nil // one series, shown as the spend column
			}
			if want := slices.Concat([]string{tc.period}, keys, []string{"Spend", "Baseline", "Saving"}); !slices.Equal(header, want) {
				t.Fatalf("header %v, want %v", header, want)
			}

			want := map[string][]int64{} // period → spend per key
			for _, p := range periods {
				want[p] = make([]int64, len(keys))
			}
			for _, r := range split {
				if tc.by == "" {
					continue
				}
				k := slices.Index(keys, r.Key)
				if k < 0 {
					k = len(keys) - 1
				}
				want[r.Period][k] += r.USDMicros
				if k < 6 && r.USDMicros > 0 { // a bar of its own, with its amount
					title := template.HTMLEscapeString(r.Key + " · " + r.Period + ": " + chartText(r.USDMicros))
					if !strings.Contains(body, "<title>"+title+"</title>") {
						t.Errorf("chart lacks the bar %q", title)
					}
				}
			}
			total := map[string]lineage.PeriodSpend{}
			for _, r := range totals {
				total[r.Period] = r
			}
			for _, p := range periods {
				cells := rows[p]
				if len(cells) != len(keys)+3 {
					t.Fatalf("period %s: cells %v", p, cells)
				}
				for k := range keys {
					if got := cells[k]; got != usdText(want[p][k]) {
						t.Errorf("period %s %s = %s, want %s", p, keys[k], got, usdText(want[p][k]))
					}
				}
				r, ok := total[p]
				if got := cells[len(keys)]; got != usdText(r.USDMicros) {
					t.Errorf("period %s spend = %s, want %s", p, got, usdText(r.USDMicros))
				}
				baseline, saving := "$0.000000", "$0.000000" // nothing finished
				if ok && r.BaselineUSDMicros != nil {
					baseline, saving = usdText(*r.BaselineUSDMicros), usdText(*r.BaselineUSDMicros-r.USDMicros)
				} else if ok && r.Documents > 0 {
					baseline, saving = "unknown", ""
				}
				if cells[len(keys)+1] != baseline || cells[len(keys)+2] != saving {
					t.Errorf("period %s baseline, saving = %s, %s; want %s, %s", p, cells[len(keys)+1], cells[len(keys)+2], baseline, saving)
				}
				if ok && r.BaselineUSDMicros != nil {
					if title := "baseline · " + p + ": " + chartText(*r.BaselineUSDMicros); !strings.Contains(body, "<title>"+title+"</title>") {
						t.Errorf("chart lacks the baseline point %q", title)
					}
				}
			}
			old, in := rows[periodOf(t, tc.period, spendNow.AddDate(0, 0, -47).Add(-time.Hour))]
			if in != tc.outOfWindowIn || in && old[len(keys)] == usdText(0) {
				t.Errorf("the document of 47 days ago: in the window %v (spend %v), want %v", in, old, tc.outOfWindowIn)
			}
			link := fmt.Sprintf(`href="/cost/time.csv?period=%s"`, tc.period)
			if tc.by != "" {
				link = fmt.Sprintf(`href="/cost/time.csv?by=%s&amp;period=%s"`, tc.by, tc.period)
			}
			if !strings.Contains(body, link) {
				t.Errorf("page lacks the CSV link %s", link)
			}
		})
	}
	if res, _ := get(t, h, "/cost?period=year"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("period=year: %d, want 400", res.StatusCode)
	}
}

// periodOf names the period holding t.
func periodOf(t *testing.T, period string, at time.Time) string {
	name, _, err := lineage.PeriodOf(period, at)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func TestCostTimeCSV(t *testing.T) {
	db, h := newSpendLedger(t)
	since := time.Date(2025, 9, 22, 0, 0, 0, 0, time.UTC) // 26 weeks back from 2026-W12
	want, err := db.SpendOverTime(context.Background(), "week", "model", since)
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, h, "/cost/time.csv?period=week&by=model")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("GET /cost/time.csv = %d %q", res.StatusCode, ct)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(want)+1 || len(want) == 0 {
		t.Fatalf("%d records, want a header and %d rows", len(recs), len(want))
	}
	if recs[0][2] != "model" || recs[0][10] != "usd_micros" || recs[0][13] != "baseline_usd_micros" {
		t.Errorf("header %v", recs[0])
	}
	for i, w := range want {
		r := recs[i+1]
		if r[0] != w.Period || r[2] != w.Key || r[4] != strconv.Itoa(w.Calls) || r[10] != strconv.FormatInt(w.USDMicros, 10) {
			t.Errorf("row %d = %v, want %s %s %d calls %d", i, r, w.Period, w.Key, w.Calls, w.USDMicros)
		}
	}

	res, body = get(t, h, "/cost/time.csv?period=day")
	recs, err = csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /cost/time.csv?period=day = %d, %v", res.StatusCode, err)
	}
	// Today's document: its spend, its baseline and the saving.
	last := recs[len(recs)-1]
	if last[0] != "2026-03-20" || last[2] != "total" || last[10] != "2600" || last[13] != "8000" || last[14] != "5400" {
		t.Errorf("today's row = %v, want spend 2600, baseline 8000, saving 5400", last)
	}
	for _, q := range []string{"?period=year", "?by=run"} {
		if res, _ := get(t, h, "/cost/time.csv"+q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /cost/time.csv%s = %d, want 400", q, res.StatusCode)
		}
	}
}
