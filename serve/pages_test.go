package serve_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/serve"
)

func TestRunsPage(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	res, body := get(t, h, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{
		`href="/runs/run_1"`, "team=finance", "parse in -o out",
		"$0.004321",                     // spend
		"$0.020000",                     // baseline
		"$0.015679",                     // saving: baseline − spend
		`<span class="failed">1</span>`, // the deferred document failed…
		" / 1</td>",                     // …and is counted as deferred
		`aria-current="page">Runs`,      // the nav marks the tab
	} {
		if !strings.Contains(body, want) {
			t.Errorf("runs page lacks %q", want)
		}
	}
}

func TestRunPage(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	res, body := get(t, h, "/runs/run_1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /runs/run_1 = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"report.pdf", "later.pdf", "failed (deferred)", "budget exhausted", "/docs/" + f.doc.ID} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if res, _ := get(t, h, "/runs/run_nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown run: %d, want 404", res.StatusCode)
	}
}

func TestDocumentPage(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{Pages: &drawer{}}).Handler()
	table := f.doc.Elements[2]

	res, body := get(t, h, "/docs/"+f.doc.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET doc = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{
		`viewBox="0 0 600.00 800.00"`, // the page size from the output JSON
		`data-id="` + table.ID + `"`,
		`class="box t-table"`,
		`class="box t-page_number faded"`, // furniture
		`<image href="/docs/` + f.doc.ID + `/pages/1.png"`,
		`x="50.00" y="300.00" width="500.00" height="200.00"`,
		"Select a box",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("document page lacks %q", want)
		}
	}
	if strings.Contains(body, f.doc.Elements[4].ID) {
		t.Error("page 1 shows an element of page 2")
	}

	// ?el= shows the panel without JavaScript, on the element's page.
	res, body = get(t, h, "/docs/"+f.doc.ID+"?el="+table.ID+"&color=model")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET doc?el = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{
		"folio trace -o OUT " + table.ID,
		"<th>Region</th><th>Sales</th>", "<td>North</td><td>12</td>", // the grid from the JSON
		"table-unruled", "openai/gpt-4.1-mini", "$0.004321", "850ms", "quality", // the calls
		`class="box m`, "colour by type", // coloured by model, with a link back
		`selected" href=`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("document page with ?el lacks %q", want)
		}
	}

	res, body = get(t, h, "/docs/"+f.doc.ID+"?page=2")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, f.doc.Elements[4].ID) {
		t.Errorf("page 2: %d, element of page 2 shown: %v", res.StatusCode, strings.Contains(body, f.doc.Elements[4].ID))
	}
	for _, q := range []string{"?page=3", "?el=el_0000", "?color=red", "?page=x"} {
		res, _ := get(t, h, "/docs/"+f.doc.ID+q)
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET doc%s = %d, want 400 or 404", q, res.StatusCode)
		}
	}
	// A failure has no pages to show but still a page.
	if res, body := get(t, h, "/docs/"+f.failed); res.StatusCode != http.StatusOK || !strings.Contains(body, "budget exhausted") {
		t.Errorf("failed document: %d", res.StatusCode)
	}
}

// TestHostileTextIsInert renders a document whose text is a script: it
// must reach the browser as text.
func TestHostileTextIsInert(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	el := f.doc.Elements[1]
	for _, target := range []string{"/docs/" + f.doc.ID, "/docs/" + f.doc.ID + "?el=" + el.ID} {
		_, body := get(t, h, target)
		if strings.Contains(body, hostile) {
			t.Errorf("%s: the script is in the page unescaped", target)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the script's text is not shown escaped", target)
		}
		if strings.Count(body, "<script") != 1 { // the page's own folio.js only
			t.Errorf("%s: %d script elements, want 1", target, strings.Count(body, "<script"))
		}
	}
}

func TestPageImage(t *testing.T) {
	f := newFixture(t)
	d := &drawer{}
	h := f.server(t, serve.Options{Pages: d}).Handler()
	url := "/docs/" + f.doc.ID + "/pages/2.png"
	for range 2 {
		res, body := get(t, h, url)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
			t.Fatalf("GET %s = %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if d.calls != 1 {
		t.Errorf("page drawn %d times, want once (then from the cache)", d.calls)
	}
	cached := filepath.Join(f.out, ".folio", "pages", f.doc.Source.SHA256, fmt.Sprintf("2-%d.png", serve.PageDPI))
	if _, err := os.Stat(cached); err != nil {
		t.Errorf("page not cached: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(cached), ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	for _, tt := range []struct {
		name, url string
		d         serve.PageDrawer
		want      int
	}{
		{"page past the end", "/docs/" + f.doc.ID + "/pages/3.png", d, http.StatusNotFound},
		{"page zero", "/docs/" + f.doc.ID + "/pages/0.png", d, http.StatusNotFound},
		{"not a number", "/docs/" + f.doc.ID + "/pages/1x.png", d, http.StatusNotFound},
		{"signed", "/docs/" + f.doc.ID + "/pages/+1.png", d, http.StatusNotFound},
		{"unknown document", "/docs/doc_0000/pages/1.png", d, http.StatusNotFound},
		{"no drawer", "/docs/" + f.doc.ID + "/pages/1.png", nil, http.StatusNotFound},
		{"source changed", "/docs/" + f.doc.ID + "/pages/1.png", &drawer{err: fmt.Errorf("read: %w", serve.ErrSourceChanged)}, http.StatusConflict},
		{"source gone", "/docs/" + f.doc.ID + "/pages/1.png", &drawer{err: fmt.Errorf("read: %w", os.ErrNotExist)}, http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := f.server(t, serve.Options{Pages: tt.d}).Handler()
			if res, body := get(t, h, tt.url); res.StatusCode != tt.want {
				t.Errorf("GET %s = %d, want %d\n%s", tt.url, res.StatusCode, tt.want, body)
			}
		})
	}
}

func TestCostPage(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	for _, by := range []string{"model", "type", "document", "tag", "run"} {
		res, body := get(t, h, "/cost?by="+by)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /cost?by=%s = %d", by, res.StatusCode)
		}
		if !strings.Contains(body, `id="spend-chart"`) || !strings.Contains(body, "$0.004321") {
			t.Errorf("cost by %s lacks the chart's place or the spend", by)
		}
	}
	_, body := get(t, h, "/cost?by=document&scope=outputs")
	if !strings.Contains(body, "report.pdf") || !strings.Contains(body, "$0.015679") {
		t.Errorf("cost by document lacks the document or its saving against the baseline")
	}
	if res, _ := get(t, h, "/cost?by=colour"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("cost by an unknown dimension: %d, want 400", res.StatusCode)
	}

	res, body := get(t, h, "/cost.csv?by=document")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV Content-Type = %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("CSV Content-Disposition = %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range recs {
		got[r[0]] = r
	}
	if r := got["report.pdf"]; r == nil || r[8] != "4321" || r[11] != "20000" || r[12] != "15679" {
		t.Errorf("report.pdf row = %v, want usd 4321, baseline 20000, saving 15679", r)
	}
	if r := got["total"]; r == nil || r[2] != "1" {
		t.Errorf("total row = %v, want 1 model call", r)
	}
}

// The review and quality tabs answer and mark themselves current.
func TestTabs(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	for _, p := range []string{"/review", "/quality"} {
		res, body := get(t, h, p)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `aria-current="page"`) {
			t.Errorf("GET %s = %d", p, res.StatusCode)
		}
	}
}
