package serve_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// qualityNow is the clock of the quality ledger and its server.
var qualityNow = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

// newQualityLedger records, at qualityNow less a day, a wasted link: 30
// paragraphs asked openai/tiny first (rule paragraph#2, $0.0003 each), 24
// of them rejected and escalated to openai/big ($0.002); one more
// paragraph left in review with openai/tiny's answer and local/text's,
// which agree; a table read by local/table. Twenty days before, one table
// went to openai/old, which only the windows of 30 days and more count.
func newQualityLedger(t *testing.T) (*lineage.DB, http.Handler) {
	t.Helper()
	out := t.TempDir()
	c := &clock{now: qualityNow}
	db := openLedger(t, out, c)

	recordRun(t, db, c, "run_old", []time.Time{qualityNow.AddDate(0, 0, -20)},
		routedDoc("old", "old.pdf", price(9000), routedEl{typ: folio.TableType,
			calls: []folio.Call{paidCall("table#2", "openai/old", folio.CallOK, 5000)}}))

	tiny := func(status string) folio.Call { return paidCall("paragraph#2", "openai/tiny", status, 300) }
	var els []routedEl
	els = append(els, slices.Repeat([]routedEl{{typ: folio.Paragraph,
		calls: []folio.Call{tiny(folio.CallRejected), paidCall("paragraph#3", "openai/big", folio.CallOK, 2000)}}}, 24)...)
	els = append(els, slices.Repeat([]routedEl{{typ: folio.Paragraph, calls: []folio.Call{tiny(folio.CallOK)}}}, 6)...)
	els = append(els,
		routedEl{typ: folio.Paragraph, status: folio.StatusReview,
			calls: []folio.Call{paidCall("paragraph#1", "local/text", folio.CallRejected, 0), tiny(folio.CallRejected)},
			answers: []folio.Answer{{Model: "local/text", Status: folio.CallRejected, Text: "Net sales rose"},
				{Model: "openai/tiny", Status: folio.CallRejected, Text: "net  sales rose"}}},
		routedEl{typ: folio.TableType, calls: []folio.Call{paidCall("table#1", "local/table", folio.CallOK, 0)}},
	)
	recordRun(t, db, c, "run_1", []time.Time{qualityNow.AddDate(0, 0, -1)}, routedDoc("new", "new.pdf", price(90000), els...))
	c.now = qualityNow
	return db, newServer(t, out, db, c).Handler()
}

func TestQualityPage(t *testing.T) {
	db, h := newQualityLedger(t)
	ctx := context.Background()
	for _, tc := range []struct {
		query string
		since time.Time
		old   bool // whether openai/old's call is in the window
	}{
		{"", qualityNow.AddDate(0, 0, -30), true},
		{"?since=7", qualityNow.AddDate(0, 0, -7), false},
		{"?since=90", qualityNow.AddDate(0, 0, -90), true},
		{"?since=all", time.Time{}, true},
	} {
		t.Run("since"+tc.query, func(t *testing.T) {
			links, err := db.LinkQuality(ctx, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := db.Recommendations(ctx, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				t.Fatal("the ledger's wasted link gives no recommendation: the test proves nothing")
			}
			res, body := get(t, h, "/quality"+tc.query)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /quality%s = %d\n%s", tc.query, res.StatusCode, body)
			}
			if got := strings.Contains(body, "openai/old"); got != tc.old {
				t.Errorf("openai/old on the page: %v, want %v", got, tc.old)
			}
			if got := strings.Count(body, "<tr>\n<td>"); got != len(links) {
				t.Errorf("%d link rows, want %d", got, len(links))
			}
			for _, l := range links {
				row := fmt.Sprintf("<td>%s</td><td><code>%s</code></td>", l.Type, l.Rule)
				i := strings.Index(body, row)
				if i < 0 {
					t.Errorf("no row for %s %s", l.Type, l.Rule)
					continue
				}
				row = body[i : i+strings.Index(body[i:], "</tr>")]
				for _, want := range []string{
					l.Model,
					fmt.Sprintf(`<td class="num">%d</td>`, l.Attempts),
					fmt.Sprintf("%.1f%%", 100*l.AcceptanceRate),
					fmt.Sprintf("%.1f%%", 100*l.EscalationRate),
					fmt.Sprintf(`<td class="num">%d</td>`, l.Rejected),
					fmt.Sprintf("$%.6f", float64(l.USDMicros)/1e6),
					fmt.Sprintf("$%.6f", float64(l.RejectedUSDMicros)/1e6),
					(time.Duration(l.MeanLatencyUS) * time.Microsecond).Round(100 * time.Microsecond).String(),
				} {
					if !strings.Contains(row, want) {
						t.Errorf("row of %s lacks %q:\n%s", l.Model, want, row)
					}
				}
				if l.Review.Elements > 0 && !strings.Contains(row, fmt.Sprintf("%d reached review: %d undecided", l.Review.Elements, l.Review.Undecided)) {
					t.Errorf("row of %s lacks its review outcomes %+v", l.Model, l.Review)
				}
				if l.Agreement.Compared > 0 && !strings.Contains(row, fmt.Sprintf("agreed %d of %d", l.Agreement.Agreed, l.Agreement.Compared)) {
					t.Errorf("row of %s lacks its agreement %+v", l.Model, l.Agreement)
				}
			}
			for _, r := range recs {
				for _, want := range []string{
					fmt.Sprintf(`<li value="%d"><strong>%s</strong>`, r.N, template.HTMLEscapeString(r.Title)),
					template.HTMLEscapeString(r.Evidence),
					fmt.Sprintf("Estimated saving: <strong>$%.6f</strong>", float64(r.SavingUSDMicros)/1e6),
				} {
					if !strings.Contains(body, want) {
						t.Errorf("recommendation %d: page lacks %q", r.N, want)
					}
				}
			}
			if !strings.Contains(body, "never change the routing policy") {
				t.Error("the page does not say recommendations never change the policy")
			}
		})
	}

	// The wasted link itself, so that a change to the thresholds that
	// silences it shows here.
	_, body := get(t, h, "/quality")
	for _, want := range []string{"Drop or fix openai/tiny for paragraph elements (rule paragraph#2)", "Estimated saving: <strong>$0.007500</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if res, _ := get(t, h, "/quality?since=365"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("since=365: %d, want 400", res.StatusCode)
	}
}

func TestQualityJSON(t *testing.T) {
	db, h := newQualityLedger(t)
	ctx := context.Background()
	since := qualityNow.AddDate(0, 0, -30)
	links, err := db.LinkQuality(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := db.Recommendations(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, h, "/quality.json")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != "application/json" {
		t.Fatalf("GET /quality.json = %d %q", res.StatusCode, ct)
	}
	var got struct {
		Since           time.Time
		Links           json.RawMessage
		Recommendations json.RawMessage
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Since.Equal(since) {
		t.Errorf("since = %v, want %v", got.Since, since)
	}
	for name, pair := range map[string]struct {
		got  json.RawMessage
		want any
	}{"links": {got.Links, links}, "recommendations": {got.Recommendations, recs}} {
		want, err := json.Marshal(pair.want)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, pair.got); err != nil {
			t.Fatal(err)
		}
		if compact.String() != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, compact.String(), want)
		}
	}
}

func TestQualityCSV(t *testing.T) {
	db, h := newQualityLedger(t)
	links, err := db.LinkQuality(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, h, "/quality.csv?since=all")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("GET /quality.csv = %d %q", res.StatusCode, ct)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(links)+1 {
		t.Fatalf("%d CSV records, want a header and %d links", len(recs), len(links))
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("no column %s in %v", name, recs[0])
		}
		return i
	}
	for i, l := range links {
		r := recs[i+1]
		for name, want := range map[string]string{
			"type": string(l.Type), "rule": l.Rule, "model": l.Model,
			"attempts": strconv.Itoa(l.Attempts), "rejected": strconv.Itoa(l.Rejected),
			"acceptance_rate":     strconv.FormatFloat(l.AcceptanceRate, 'g', -1, 64),
			"usd_micros":          strconv.FormatInt(l.USDMicros, 10),
			"rejected_usd_micros": strconv.FormatInt(l.RejectedUSDMicros, 10),
			"mean_latency_us":     strconv.FormatInt(l.MeanLatencyUS, 10),
			"review_elements":     strconv.Itoa(l.Review.Elements),
			"agreement_agreed":    strconv.Itoa(l.Agreement.Agreed),
		} {
			if got := r[col(name)]; got != want {
				t.Errorf("link %d (%s) %s = %q, want %q", i, l.Model, name, got, want)
			}
		}
	}
}
