package route_test

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestDefaultPolicyGolden(t *testing.T) {
	p := route.DefaultPolicy()
	enc, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := "hash " + p.Hash() + "\n" + string(enc) + "\n"
	path := filepath.Join("testdata", "default_policy.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("default policy changed (-want +got); its hash is in every output, rerun with -update if intended:\n%s", diff)
	}
}

func TestPolicyHash(t *testing.T) {
	base := route.DefaultPolicy().Hash()
	if len(base) != 64 {
		t.Fatalf("Hash() = %q, want 64 hex digits", base)
	}
	same := func(p *route.Policy) {
		// The same routes built in another order.
		p.Routes = map[folio.ElementType][]route.Link{}
		for _, typ := range []folio.ElementType{
			folio.PageNumber, folio.Footer, folio.Header, folio.Code, folio.Formula, folio.Footnote,
			folio.Caption, folio.ImageType, folio.TableType, folio.ListItem, folio.Paragraph, folio.Heading, folio.Title,
		} {
			p.Routes[typ] = route.DefaultPolicy().Routes[typ]
		}
	}
	tests := []struct {
		name   string
		change func(p *route.Policy)
		same   bool
	}{
		{"rebuilt_in_other_order_same", same, true},
		{"zero_rule_same", func(p *route.Policy) {
			p.Routes[folio.TableType] = []route.Link{{Specialist: "local/table", When: route.Rule{}}}
		}, true},
		{"link_added_changes", func(p *route.Policy) {
			p.Routes[folio.TableType] = append(p.Routes[folio.TableType], route.Link{Specialist: "openai/gpt-4.1"})
		}, false},
		{"links_reordered_changes", func(p *route.Policy) {
			p.Routes[folio.TableType] = links("b", "a")
			q := route.DefaultPolicy()
			q.Routes[folio.TableType] = links("a", "b")
			if q.Hash() == p.Hash() {
				t.Error("chains a,b and b,a hash the same")
			}
		}, false},
		{"specialist_changed_changes", func(p *route.Policy) {
			p.Routes[folio.Paragraph] = links("local/other")
		}, false},
		{"rule_added_changes", func(p *route.Policy) {
			p.Routes[folio.TableType] = []route.Link{{Specialist: "local/table", When: route.Rule{MinCells: 4}}}
		}, false},
		{"type_removed_changes", func(p *route.Policy) { delete(p.Routes, folio.Code) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := route.DefaultPolicy()
			tt.change(&p)
			if got := p.Hash() == base; got != tt.same {
				t.Errorf("hash equal to the default's = %v, want %v", got, tt.same)
			}
			if first, second := p.Hash(), p.Hash(); first != second {
				t.Errorf("Hash() differs between calls: %s, %s", first, second)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name    string
		routes  map[folio.ElementType][]route.Link
		wantErr string
	}{
		{"default_ok", route.DefaultPolicy().Routes, ""},
		{"empty_chain_ok", map[folio.ElementType][]route.Link{folio.ImageType: {}}, ""},
		{"unknown_type", map[folio.ElementType][]route.Link{"chart": links("a")}, `unknown element type "chart"`},
		{"no_specialist", map[folio.ElementType][]route.Link{folio.TableType: links("a", "")}, "policy table#2: no specialist"},
		{"duplicate", map[folio.ElementType][]route.Link{folio.TableType: links("a", "b", "a")}, "policy table#3: a appears twice"},
		{"negative_cells", map[folio.ElementType][]route.Link{folio.TableType: {{Specialist: "a", When: route.Rule{MinCells: -1}}}}, "min_cells -1"},
		{"confidence_above_one", map[folio.ElementType][]route.Link{folio.TableType: {{Specialist: "a", When: route.Rule{MaxConfidence: 1.5}}}}, "max_confidence 1.5"},
		{"min_confidence_above_one", map[folio.ElementType][]route.Link{folio.TableType: {{Specialist: "a", When: route.Rule{MinConfidence: 2}}}}, "min_confidence 2"},
		{"confidence_nan", map[folio.ElementType][]route.Link{folio.TableType: {{Specialist: "a", When: route.Rule{MaxConfidence: math.NaN()}}}}, "max_confidence NaN"},
		{"area_infinite", map[folio.ElementType][]route.Link{folio.ImageType: {{Specialist: "a", When: route.Rule{MinArea: math.Inf(1)}}}}, "min_area +Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := route.Policy{Routes: tt.routes}.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRuleApplies(t *testing.T) {
	table := &folio.Table{Rows: [][]string{{"a", "b", "c"}, {"d"}}} // 2x3 grid
	tests := []struct {
		name string
		rule route.Rule
		task route.Task
		want bool
	}{
		{"zero_rule_always", route.Rule{}, route.Task{}, true},
		{"min_cells_met", route.Rule{MinCells: 6}, route.Task{Element: folio.Element{Table: table}}, true},
		{"min_cells_not_met", route.Rule{MinCells: 7}, route.Task{Element: folio.Element{Table: table}}, false},
		{"min_cells_counts_cell_extent", route.Rule{MinCells: 12},
			route.Task{Element: folio.Element{Table: &folio.Table{Cells: []folio.Cell{{Row: 2, Col: 2, RowSpan: 2, ColSpan: 1}}}}}, true},
		{"min_cells_without_table", route.Rule{MinCells: 1}, route.Task{}, false},
		{"confidence_below", route.Rule{MaxConfidence: 0.6}, route.Task{Element: folio.Element{Confidence: 0.59}}, true},
		{"confidence_at_threshold", route.Rule{MaxConfidence: 0.6}, route.Task{Element: folio.Element{Confidence: 0.6}}, false},
		{"min_confidence_met", route.Rule{MinConfidence: 0.7}, route.Task{Element: folio.Element{Confidence: 0.7}}, true},
		{"min_confidence_doubtful", route.Rule{MinConfidence: 0.7}, route.Task{Element: folio.Element{Confidence: 0.69}}, false},
		{"no_text_layer_met", route.Rule{NeedsNoTextLayer: true}, route.Task{Page: folio.PageInfo{Page: 1}}, true},
		{"no_text_layer_not_met", route.Rule{NeedsNoTextLayer: true}, route.Task{Page: folio.PageInfo{Page: 1, TextLayer: true}}, false},
		{"no_text_layer_unknown_page", route.Rule{NeedsNoTextLayer: true}, route.Task{}, false},
		{"min_area_met", route.Rule{MinArea: 100}, route.Task{Element: folio.Element{Box: folio.Box{0, 0, 10, 10}}}, true},
		{"min_area_not_met", route.Rule{MinArea: 101}, route.Task{Element: folio.Element{Box: folio.Box{0, 0, 10, 10}}}, false},
		{"ocr_confidence_low", route.Rule{MaxOCRConfidence: 0.8}, route.Task{Element: folio.Element{OCRConfidence: 0.6}}, true},
		{"ocr_confidence_high", route.Rule{MaxOCRConfidence: 0.8}, route.Task{Element: folio.Element{OCRConfidence: 0.9}}, false},
		{"ocr_confidence_not_ocr", route.Rule{MaxOCRConfidence: 0.8}, route.Task{Element: folio.Element{}}, false},
		{"all_conditions", route.Rule{MinCells: 6, MaxConfidence: 0.5, MinArea: 1},
			route.Task{Element: folio.Element{Table: table, Confidence: 0.4, Box: folio.Box{0, 0, 1, 1}}}, true},
		{"one_condition_fails", route.Rule{MinCells: 6, MaxConfidence: 0.5},
			route.Task{Element: folio.Element{Table: table, Confidence: 0.9}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Applies(tt.task); got != tt.want {
				t.Errorf("Applies() = %v, want %v", got, tt.want)
			}
		})
	}
}

// identified is a model specialist with an identity.
type identified struct {
	*model
	id string
}

func (s identified) Identity() string { return s.id }

func TestPolicyHashWith(t *testing.T) {
	p := route.DefaultPolicy()
	p.Routes[folio.TableType] = links("local/table", "tab")
	p.Routes[folio.ImageType] = links("pic")
	specs := func(tab, pic, unused string) []route.Specialist {
		return []route.Specialist{
			newModel("local/table"),
			route.Wrap(identified{newModel("tab"), tab}, route.ModelOptions{}, nil),
			identified{newModel("pic"), pic},
			identified{newModel("unused"), unused},
		}
	}
	base := p.HashWith(specs("gpt-4.1-mini", "gpt-4.1-mini", "x"))
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"same_identities_same", p.HashWith(specs("gpt-4.1-mini", "gpt-4.1-mini", "x")), true},
		{"model_behind_alias_changes", p.HashWith(specs("gpt-4.1", "gpt-4.1-mini", "x")), false},
		{"other_alias_changes", p.HashWith(specs("gpt-4.1-mini", "gpt-4.1", "x")), false},
		{"alias_no_route_names_same", p.HashWith(specs("gpt-4.1-mini", "gpt-4.1-mini", "y")), true},
		{"identities_count", p.Hash(), false},
	}
	for _, tt := range tests {
		if (tt.got == base) != tt.same {
			t.Errorf("%s: HashWith = %s, base %s; want same %v", tt.name, tt.got, base, tt.same)
		}
	}
	// Specialists without identities (the local ones) keep the policy's
	// own hash, so that upgrading changes no fully local configuration.
	local := route.DefaultPolicy()
	if got, want := local.HashWith([]route.Specialist{newModel("local/table"), newModel("local/text")}), local.Hash(); got != want {
		t.Errorf("local HashWith = %s, want Hash %s", got, want)
	}
}
