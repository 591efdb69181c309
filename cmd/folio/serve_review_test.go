package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/lineage"
	"github.com/folio/folio/serve"
)

// reviewServer serves out with review decisions going through the real
// decider, as folio serve wires them.
func reviewServer(t *testing.T, out string, readOnly bool) (*httptest.Server, *http.Client) {
	t.Helper()
	ctx := context.Background()
	rdb, err := lineage.OpenReadOnlyLive(ctx, filepath.Join(out, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	opts := serve.Options{Out: out, DB: rdb, Logger: slog.New(slog.DiscardHandler)}
	if !readOnly {
		wdb, err := lineage.Open(ctx, filepath.Join(out, "folio.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { wdb.Close() })
		dr, err := newDecider(wdb, out, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dr.Close() })
		opts.Decide = dr.decide
	}
	srv, err := serve.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return ts, c
}

func fetch(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func formToken(t *testing.T, page string) string {
	t.Helper()
	const marker = `name="csrf" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no CSRF field in the page")
	}
	rest := page[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// The review queue in the browser: the queue lists the elements in review,
// an item shows the answers and forms, and a posted accept or correction
// is applied to the JSON, shown on the item and listed as decided; a
// cross-site post or a read-only server changes nothing.
func TestServeReviewDecisions(t *testing.T) {
	_, out, _ := reviewFixture(t)
	ts, c := reviewServer(t, out, false)
	jsonPath := filepath.Join(out, "t.pdf.json")
	q := listReview(t, out)
	first, second := q.Items[0].Element, q.Items[1].Element

	code, page := fetch(t, c, ts.URL+"/review")
	if code != 200 || !strings.Contains(page, `data-id="`+first+`"`) || !strings.Contains(page, `data-id="`+second+`"`) {
		t.Fatalf("queue: %d, lacks the elements in review:\n%s", code, page)
	}
	code, page = fetch(t, c, ts.URL+"/review/"+first)
	if code != 200 || !strings.Contains(page, `value="openai/gpt-4.1"`) || !strings.Contains(page, "987654") || !strings.Contains(page, `name="cell-0-0"`) {
		t.Fatalf("item: %d, lacks the model's answer or the grid editor:\n%s", code, page)
	}
	token := formToken(t, page)

	// A cross-site post is refused and writes nothing.
	if code, _ := postForm(t, c, ts.URL+"/review/"+first, url.Values{"csrf": {token}, "action": {"reject"}, "reviewer": {"x"}},
		map[string]string{"Origin": "https://evil.example"}); code != http.StatusForbidden {
		t.Errorf("cross-site decision: %d, want 403", code)
	}
	if status, _, _, _ := tableByID(t, jsonPath, first); status != "review" {
		t.Fatalf("a refused post changed the element: %s", status)
	}

	code, loc := postForm(t, c, ts.URL+"/review/"+first, url.Values{"csrf": {token}, "action": {"accept"},
		"answer": {"openai/gpt-4.1"}, "reviewer": {"<script>alert(1)</script>"}, "note": {"from the scan"}}, nil)
	if code != http.StatusSeeOther || loc != "/review/"+first+"?done=accept" {
		t.Fatalf("accept: %d %q", code, loc)
	}
	if status, model, _, rows := tableByID(t, jsonPath, first); status != "ok" || model != "human/<script>alert(1)</script>" || rows[1][1] != "987654" {
		t.Errorf("after accept: %s %s %v", status, model, rows)
	}
	_, page = fetch(t, c, ts.URL+loc)
	if !strings.Contains(page, `id="done"`) || strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the item after the decision does not show it, escaped")
	}

	// The grid editor: cells by position, trailing empties dropped.
	form := url.Values{"csrf": {token}, "action": {"correct"}, "cells": {"1"}, "rows": {"3"}, "cols": {"3"},
		"cell-0-0": {"Region"}, "cell-0-1": {"Q1"}, "cell-1-0": {"North"}, "cell-1-1": {"12.5"}, "header_rows": {"1"}, "reviewer": {"bo"}}
	if code, _ := postForm(t, c, ts.URL+"/review/"+second, form, nil); code != http.StatusSeeOther {
		t.Fatalf("correct: %d", code)
	}
	if status, model, _, rows := tableByID(t, jsonPath, second); status != "ok" || model != "human/bo" || len(rows) != 2 || len(rows[0]) != 2 || rows[1][1] != "12.5" {
		t.Errorf("after correct: %s %s %v", status, model, rows)
	}
	_, page = fetch(t, c, ts.URL+"/review?decided=1")
	if !strings.Contains(page, `data-id="`+first+`"`) || !strings.Contains(page, `data-id="`+second+`"`) {
		t.Error("the decided list lacks the two decisions")
	}
	// Bad forms: 400 with the reason, nothing written.
	for _, bad := range []url.Values{
		{"csrf": {token}, "action": {"accept"}},
		{"csrf": {token}, "action": {"correct"}, "cells": {"1"}, "rows": {"9999"}, "cols": {"1"}, "reviewer": {"a"}},
		{"csrf": {token}, "action": {"delete"}, "reviewer": {"a"}},
	} {
		if code, _ := postForm(t, c, ts.URL+"/review/"+q.Items[len(q.Items)-1].Element, bad, nil); code != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad, code)
		}
	}

	// A read-only server refuses decisions.
	ts2, c2 := reviewServer(t, out, true)
	_, page = fetch(t, c2, ts2.URL+"/review/"+first)
	if code, _ := postForm(t, c2, ts2.URL+"/review/"+first, url.Values{"csrf": {formToken(t, page)}, "action": {"reject"}, "reviewer": {"x"}}, nil); code != http.StatusForbidden {
		t.Errorf("read-only decision: %d, want 403", code)
	}
}

// The control plane shows what the command line and the ledger say: the
// cost CSV equals folio cost, row by row, for every grouping, and an
// element's panel lists the calls folio trace lists.
func TestServeAgreesWithCLI(t *testing.T) {
	_, out, _ := reviewFixture(t)
	ts, c := reviewServer(t, out, true)
	for _, by := range lineage.CostDimensions() {
		stdout, stderr, code := runFolio(t, "cost", "-o", out, "--by", by, "--json")
		if code != 0 {
			t.Fatalf("cost --by %s: exit %d: %s", by, code, stderr)
		}
		var rep lineage.CostReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, r := range append(rep.Rows, rep.Total) {
			want[r.Key] = fmt.Sprintf("%d %d %d %d", r.Calls, r.InputTokens, r.USDMicros, r.RejectedUSDMicros)
		}
		code, body := fetch(t, c, ts.URL+"/cost.csv?by="+by)
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if code != 200 || err != nil || len(recs) != len(rep.Rows)+2 {
			t.Fatalf("cost.csv by %s: %d, %v, %d records for %d rows", by, code, err, len(recs), len(rep.Rows))
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, r := range recs[1:] {
			key := r[0]
			if key == "total" || key == "(total)" {
				key = rep.Total.Key
			}
			got := fmt.Sprintf("%s %s %s %s", r[col["calls"]], r[col["input_tokens"]], r[col["usd_micros"]], r[col["rejected_usd_micros"]])
			if want[key] != got {
				t.Errorf("by %s, row %q: CSV %s, folio cost %s", by, r[0], got, want[key])
			}
		}
	}
	// The element panel lists the calls of folio trace.
	id := listReview(t, out).Items[0].Element
	stdout, _, _ := runFolio(t, "trace", "-o", out, id, "--json")
	var tr []struct {
		Document struct{ ID string } `json:"document"`
		Fragment struct {
			Calls []struct {
				Model     string `json:"model"`
				Status    string `json:"status"`
				USDMicros *int64 `json:"usd_micros"`
			} `json:"calls"`
		} `json:"fragment"`
	}
	if err := json.Unmarshal([]byte(stdout), &tr); err != nil || len(tr) != 1 || len(tr[0].Fragment.Calls) == 0 {
		t.Fatalf("trace: %v %s", err, stdout)
	}
	_, page := fetch(t, c, ts.URL+"/docs/"+tr[0].Document.ID+"?el="+id)
	for _, call := range tr[0].Fragment.Calls {
		row := fmt.Sprintf("<td>%s</td><td>%s</td>", call.Model, call.Status)
		if !strings.Contains(page, row) || call.USDMicros == nil || !strings.Contains(page, fmt.Sprintf("$%.6f", float64(*call.USDMicros)/1e6)) {
			t.Errorf("the panel lacks the call %+v", call)
		}
	}
}
