package route_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/local"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignoreLatency = cmpopts.IgnoreFields(folio.Call{}, "Latency", "Error")

func zero() *int64 { return new(int64) }

// allAttempted reports whether every fragment made a call: what Route
// returns with an error.
func allAttempted(frags []folio.Fragment) bool {
	for _, f := range frags {
		if len(f.Calls) == 0 {
			return false
		}
	}
	return true
}

func ptr[T any](v T) *T { return &v }

func TestRouteEscalation(t *testing.T) {
	okSpec := echo("test/ok")
	errSpec := failing("test/err", errors.New("boom"))
	rateLimited := failing("test/limited", route.Errorf("rate_limit", "429"))
	empty := fake{"test/empty", func(context.Context, route.Task) (route.Result, error) {
		return route.Result{Text: ptr(" ")}, nil
	}}
	crash := fake{"test/crash", func(context.Context, route.Task) (route.Result, error) { panic("specialist bug") }}
	paid := fake{"test/paid", func(_ context.Context, t route.Task) (route.Result, error) {
		s := strings.ToUpper(t.Element.Text)
		return route.Result{
			Text: &s, Usage: folio.Usage{InputTokens: 120, CachedTokens: 20, OutputTokens: 30},
			USDMicros: ptr(int64(96)), Endpoint: "openai", Prompt: "text", PromptVersion: 2, RequestHash: "h1",
		}, nil
	}}
	unknownPrice := fake{"test/unpriced", func(context.Context, route.Task) (route.Result, error) {
		return route.Result{Usage: folio.Usage{InputTokens: 5}}, errors.New("no answer")
	}}
	picky := checked{echo("test/picky"), func(route.Task, route.Result) error {
		return route.Errorf("grounding", "number 42 not in the source")
	}}
	brokenCheck := checked{echo("test/brokencheck"), func(route.Task, route.Result) error { panic("checker bug") }}
	localFail := failing("local/fails", errors.New("nope"))
	specs := []route.Specialist{okSpec, errSpec, rateLimited, empty, crash, paid, unknownPrice, picky, brokenCheck, localFail}

	text := "paragraph 0"
	tests := []struct {
		name  string
		chain []route.Link
		el    func(*folio.Element)
		want  folio.Fragment
	}{
		{
			name:  "first_link_accepted",
			chain: links("test/ok", "test/err"),
			want: folio.Fragment{Model: "test/ok", Status: folio.StatusOK, Text: &text, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/ok", Status: "ok"},
			}},
		},
		{
			name:  "failed_link_escalates",
			chain: links("test/err", "test/limited", "test/ok"),
			want: folio.Fragment{Model: "test/ok", Status: folio.StatusOK, Text: &text, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/err", Status: "failed", ErrorClass: "error"},
				{Attempt: 2, Rule: "paragraph#2", Model: "test/limited", Status: "failed", ErrorClass: "rate_limit"},
				{Attempt: 3, Rule: "paragraph#3", Model: "test/ok", Status: "ok"},
			}},
		},
		{
			name:  "rejected_output_escalates",
			chain: links("test/empty", "test/picky", "test/ok"),
			want: folio.Fragment{Model: "test/ok", Status: folio.StatusOK, Text: &text, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/empty", Status: "rejected", ErrorClass: "empty"},
				{Attempt: 2, Rule: "paragraph#2", Model: "test/picky", Status: "rejected", ErrorClass: "grounding"},
				{Attempt: 3, Rule: "paragraph#3", Model: "test/ok", Status: "ok"},
			}},
		},
		{
			name:  "panic_becomes_failed_call",
			chain: links("test/crash", "test/ok"),
			want: folio.Fragment{Model: "test/ok", Status: folio.StatusOK, Text: &text, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/crash", Status: "failed", ErrorClass: "crash"},
				{Attempt: 2, Rule: "paragraph#2", Model: "test/ok", Status: "ok"},
			}},
		},
		{
			name:  "checker_panic_becomes_failed_call",
			chain: links("test/brokencheck", "test/ok"),
			want: folio.Fragment{Model: "test/ok", Status: folio.StatusOK, Text: &text, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/brokencheck", Status: "failed", ErrorClass: "crash"},
				{Attempt: 2, Rule: "paragraph#2", Model: "test/ok", Status: "ok"},
			}},
		},
		{
			name: "rule_skips_link_and_attempts_stay_contiguous",
			chain: []route.Link{
				{Specialist: "test/paid", When: route.Rule{MaxConfidence: 0.5}},
				{Specialist: "test/err"},
				{Specialist: "test/ok"},
			},
			want: folio.Fragment{Model: "test/ok", Status: folio.StatusOK, Text: &text, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#2", Model: "test/err", Status: "failed", ErrorClass: "error"},
				{Attempt: 2, Rule: "paragraph#3", Model: "test/ok", Status: "ok"},
			}},
		},
		{
			name: "rule_applies_on_low_confidence",
			chain: []route.Link{
				{Specialist: "test/paid", When: route.Rule{MaxConfidence: 0.5}},
				{Specialist: "test/ok"},
			},
			el: func(e *folio.Element) { e.Confidence = 0.2 },
			want: folio.Fragment{Model: "test/paid", Status: folio.StatusOK, Text: ptr("PARAGRAPH 0"), Calls: []folio.Call{{
				Attempt: 1, Rule: "paragraph#1", Model: "test/paid", Endpoint: "openai",
				Usage:     folio.Usage{InputTokens: 120, CachedTokens: 20, OutputTokens: 30},
				USDMicros: ptr(int64(96)), Status: "ok", Prompt: "text", PromptVersion: 2, RequestHash: "h1",
			}}},
		},
		{
			name:  "every_link_failed_keeps_element_as_degraded",
			chain: links("test/err", "test/unpriced", "local/fails"),
			want: folio.Fragment{Model: folio.ModelSegment, Status: folio.StatusDegraded, Reason: "error", Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/err", Status: "failed", ErrorClass: "error"},
				{Attempt: 2, Rule: "paragraph#2", Model: "test/unpriced", Usage: folio.Usage{InputTokens: 5}, Status: "failed", ErrorClass: "error"},
				{Attempt: 3, Rule: "paragraph#3", Model: "local/fails", USDMicros: zero(), Status: "failed", ErrorClass: "error"},
			}},
		},
		{
			name:  "every_link_failed_without_content_fails",
			chain: links("test/err"),
			el:    func(e *folio.Element) { e.Text = " " },
			want: folio.Fragment{Status: folio.StatusFailed, Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "test/err", Status: "failed", ErrorClass: "error"},
			}},
		},
		{
			name:  "no_link_applies_passes_through",
			chain: []route.Link{{Specialist: "test/paid", When: route.Rule{MinCells: 4}}},
			want:  folio.Fragment{Model: folio.ModelSegment, Status: folio.StatusOK, Calls: []folio.Call{}},
		},
		{
			name:  "no_chain_passes_through",
			chain: nil,
			want:  folio.Fragment{Model: folio.ModelSegment, Status: folio.StatusOK, Calls: []folio.Call{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(t, 2, textPolicy(tt.chain...), specs...)
			doc := newDoc("a/b.pdf", 1)
			if tt.el != nil {
				tt.el(&doc.Elements[0])
			}
			got, err := r.Route(context.Background(), doc, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.ElementID = doc.Elements[0].ID
			want.ID = folio.FragmentID(want.ElementID)
			if diff := cmp.Diff([]folio.Fragment{want}, got, ignoreLatency); diff != "" {
				t.Errorf("fragments (-want +got):\n%s", diff)
			}
			for _, c := range got[0].Calls {
				if (c.Status == folio.CallOK) != (c.Error == "") {
					t.Errorf("call %d status %s has error %q; failed and rejected calls must say why, kept ones must not", c.Attempt, c.Status, c.Error)
				}
			}
		})
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRouteDefaultPolicyLocal(t *testing.T) {
	pix := pngOf(t, 4, 3)
	doc := newDoc("x.pdf", 0)
	add := func(e folio.Element) {
		e.ID = folio.ElementID(doc.ID, len(doc.Elements))
		e.Page = 1
		doc.Elements = append(doc.Elements, e)
	}
	add(folio.Element{Type: folio.Title, Text: "The  ﬁrst\u00A0title"})
	add(folio.Element{Type: folio.PageNumber, Text: " 3 ", Layer: folio.LayerFurniture})
	add(folio.Element{Type: folio.TableType, Text: "a b", Table: &folio.Table{Rows: [][]string{{"a", "b"}, {"1"}}, HeaderRows: 1}})
	add(folio.Element{Type: folio.TableType, Table: &folio.Table{Rows: [][]string{{"", ""}}}})
	add(folio.Element{Type: folio.ImageType, Image: &folio.Image{Width: 100, Height: 75, PNG: pix}})
	add(folio.Element{Type: folio.ImageType, Image: &folio.Image{Width: 100, Height: 75}})
	add(folio.Element{Type: folio.Code, Text: "x := 1  \n\ty()\n"})

	r := newRouter(t, 3, route.DefaultPolicy(), local.All()...)
	got, err := r.Route(context.Background(), doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	call := func(rule, model, status string, class folio.ErrorClass) []folio.Call {
		return []folio.Call{{Attempt: 1, Rule: rule, Model: model, USDMicros: zero(), Status: status, ErrorClass: class}}
	}
	want := []folio.Fragment{
		{Model: "local/text", Status: "ok", Text: ptr("The first title"), Calls: call("title#1", "local/text", "ok", "")},
		{Model: "local/text", Status: "ok", Text: ptr("3"), Calls: call("page_number#1", "local/text", "ok", "")},
		{Model: "local/table", Status: "ok", Text: ptr("a b"), Table: &folio.Table{
			Rows: [][]string{{"a", "b"}, {"1", ""}}, HeaderRows: 1,
			HTML: "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td></td></tr></tbody></table>",
		}, Calls: call("table#1", "local/table", "ok", "")},
		// A rejected output sends the element to review, content or not;
		// the reviewer is offered what it kept, as the rejected answer is
		// empty.
		{Model: folio.ModelSegment, Status: "review", Reason: "empty: table has no non-empty cell (local/table)",
			Calls:   call("table#1", "local/table", "rejected", "empty"),
			Answers: []folio.Answer{{Model: folio.ModelSegment, Status: "ok", Table: &folio.Table{Rows: [][]string{{"", ""}}}}}},
		{Model: "local/image", Status: "ok", Image: &folio.Image{Width: 4, Height: 3, PNG: pix}, Calls: call("image#1", "local/image", "ok", "")},
		{Model: folio.ModelSegment, Status: "degraded", Reason: "input", Calls: call("image#1", "local/image", "failed", "input")},
		{Model: "local/text", Status: "ok", Text: ptr("x := 1\n\ty()"), Calls: call("code#1", "local/text", "ok", "")},
	}
	for i := range want {
		want[i].ElementID = doc.Elements[i].ID
		want[i].ID = folio.FragmentID(doc.Elements[i].ID)
	}
	if diff := cmp.Diff(want, got, ignoreLatency); diff != "" {
		t.Errorf("fragments (-want +got):\n%s", diff)
	}
}

func TestRouteFragmentsInElementOrder(t *testing.T) {
	r := newRouter(t, 4, textPolicy(links("test/ok")...), echo("test/ok"))
	doc := newDoc("many.pdf", 300)
	got, err := r.Route(context.Background(), doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(doc.Elements) {
		t.Fatalf("got %d fragments for %d elements", len(got), len(doc.Elements))
	}
	for i, f := range got {
		el := doc.Elements[i]
		if f.ElementID != el.ID || f.ID != folio.FragmentID(el.ID) || f.Text == nil || *f.Text != el.Text {
			t.Fatalf("fragment %d = {element %s, id %s, text %v}, want element %s text %q",
				i, f.ElementID, f.ID, f.Text, el.ID, el.Text)
		}
	}
}

func TestRouteTaskIsACopy(t *testing.T) {
	var seen route.Task
	mutate := fake{"test/mutate", func(_ context.Context, t route.Task) (route.Result, error) {
		seen = t
		t.Element.Table.Rows[0][0] = "changed"
		t.Element.Table.Cells[0].Text = "changed"
		t.Element.Regions[0].Page = 99
		t.Element.Image.Width = 1
		s := "x"
		return route.Result{Text: &s, Table: t.Element.Table}, nil
	}}
	p := route.Policy{Routes: map[folio.ElementType][]route.Link{folio.TableType: links("test/mutate")}}
	r := newRouter(t, 1, p, mutate)
	doc := newDoc("t.pdf", 0)
	doc.Pages = append(doc.Pages, folio.PageInfo{Page: 2, Width: 100, Height: 200})
	doc.Elements = []folio.Element{{
		ID: "el_1", Type: folio.TableType, Page: 2,
		Regions: []folio.PageBox{{Page: 2}, {Page: 3}},
		Table:   &folio.Table{Rows: [][]string{{"a"}}, Cells: []folio.Cell{{RowSpan: 1, ColSpan: 1, Text: "a"}}},
		Image:   &folio.Image{Width: 5},
	}}
	before := cloneDoc(doc)
	if _, err := r.Route(context.Background(), doc, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, doc); diff != "" {
		t.Errorf("document changed by a specialist (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(folio.PageInfo{Page: 2, Width: 100, Height: 200}, seen.Page); diff != "" {
		t.Errorf("task page (-want +got):\n%s", diff)
	}
	if seen.Source.Rel != "t.pdf" || seen.Attempt != 1 || seen.Rule != "table#1" {
		t.Errorf("task = {source %q, attempt %d, rule %q}, want {t.pdf, 1, table#1}", seen.Source.Rel, seen.Attempt, seen.Rule)
	}
}

func cloneDoc(d *folio.Document) *folio.Document {
	c := *d
	c.Elements = nil
	for _, e := range d.Elements {
		t := *e.Table
		t.Rows = [][]string{append([]string(nil), e.Table.Rows[0]...)}
		t.Cells = append([]folio.Cell(nil), e.Table.Cells...)
		e.Table = &t
		img := *e.Image
		e.Image = &img
		e.Regions = append([]folio.PageBox(nil), e.Regions...)
		c.Elements = append(c.Elements, e)
	}
	return &c
}

func TestNew(t *testing.T) {
	pool := route.NewPool(1)
	defer pool.Close()
	tests := []struct {
		name    string
		policy  route.Policy
		pool    *route.Pool
		specs   []route.Specialist
		wantErr string
	}{
		{name: "default_policy_with_local", policy: route.DefaultPolicy(), pool: pool, specs: local.All()},
		{name: "unknown_specialist", policy: route.DefaultPolicy(), pool: pool, specs: []route.Specialist{local.Text{}, local.Table{}},
			wantErr: `policy image#1 names unknown specialist "local/image"`},
		{name: "duplicate_specialist", policy: textPolicy(), pool: pool, specs: []route.Specialist{echo("a"), echo("a")},
			wantErr: `two specialists named "a"`},
		{name: "invalid_policy", policy: textPolicy(links("a", "a")...), pool: pool, specs: []route.Specialist{echo("a")},
			wantErr: "a appears twice"},
		{name: "no_pool", policy: textPolicy(), wantErr: "no worker pool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := route.New(tt.policy, tt.pool, tt.specs...)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("New() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
