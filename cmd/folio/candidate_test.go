package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// candidatePDF is a page whose table the segmenter weighs and refuses: a
// caption naming it, then rules around a head whose two columns stand one
// space apart and a first column of labels over empty cells, then prose.
func candidatePDF() []byte {
	var c strings.Builder
	c.WriteString("BT /F1 12 Tf 72 720 Td (Table 13.2. Effect of cations on flocculation of a clay suspension.) Tj ET\n")
	c.WriteString("0.5 w 72 706 m 330 706 l S 72 688 m 330 688 l S 72 600 m 330 600 l S\n")
	c.WriteString("BT /F1 9 Tf 76 694 Td (Added cation Relative Size & Settling Rates of Floccules) Tj ET\n")
	for i, s := range []string{"K+", "Na+", "Ca2+", "Al3+", "Check"} {
		fmt.Fprintf(&c, "BT /F1 9 Tf 76 %d Td (%s) Tj ET\n", 676-16*i, s)
	}
	for i, s := range []string{
		"In this activity, you will titrate the filtrate with a weak solution of sodium hydroxide, using",
		"phenolphthalein as an indicator, which turns faint pink when the acid in the flask is spent.",
		"Record the volume of the solution used to reach that point for every filtrate you prepared.",
	} {
		fmt.Fprintf(&c, "BT /F1 10 Tf 72 %d Td (%s) Tj ET\n", 570-14*i, s)
	}
	return onePagePDF(c.String(), "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", "")
}

type candidateDoc struct {
	Elements   []candidateElement `json:"elements"`
	Candidates []candidateElement `json:"candidates"`
}

type candidateElement struct {
	ID         string  `json:"id"`
	Type       string  `json:"type"`
	Text       string  `json:"text"`
	Layer      string  `json:"layer"`
	Model      string  `json:"model"`
	Confidence float64 `json:"confidence"`
	Table      *struct {
		Rows [][]string `json:"rows"`
	} `json:"table"`
}

// A region weighed as a table and refused is reported as a candidate with
// a low confidence, left out of the Markdown; routing keeps the refusal on
// a local link the candidate's confidence meets, and otherwise asks a
// model, whose table then takes the place of the text it covers.
func TestRefusedTableCandidate(t *testing.T) {
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "cations.pdf"), candidatePDF(), 0o644); err != nil {
		t.Fatal(err)
	}
	answer := `{"rows": [["Added cation", "Relative Size & Settling Rates of Floccules"], ["K+", ""], ["Na+", ""],` +
		` ["Ca2+", ""], ["Al3+", ""], ["Check", ""]], "header_rows": 1, "cells": []}`
	for _, tc := range []struct {
		name          string
		minConfidence string // of the local/table link; "" for the default policy
		promoted      bool
	}{
		{"default policy keeps the refusal", "", false},
		{"a confident refusal stays local", "0.2", false},
		{"a doubtful refusal goes to the model", "0.6", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := oaitest.New(t)
			srv.Script("gpt-4.1-mini", oaitest.Step{Content: answer})
			out := t.TempDir()
			args := []string{"parse", in, "-o", out, "--markdown"}
			if tc.minConfidence != "" {
				policy := writePolicyAt(t, srv.URL, "")
				data, err := os.ReadFile(policy)
				if err != nil {
					t.Fatal(err)
				}
				data = []byte(strings.Replace(string(data), "table: [small, large]",
					"table: [{model: local/table, when: {min_confidence: "+tc.minConfidence+"}}, small]", 1))
				if err := os.WriteFile(policy, data, 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", policy)
			}
			stdout, stderr, code := runWithKey(t, args...)
			if code != 0 {
				t.Fatalf("parse exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			raw, err := os.ReadFile(filepath.Join(out, "cations.pdf.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc candidateDoc
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(filepath.Join(out, "cations.pdf.md"))
			if err != nil {
				t.Fatal(err)
			}
			var tables []candidateElement
			layers := map[string]int{}
			for _, e := range doc.Elements {
				layers[e.Layer]++
				if e.Type == "table" && e.Layer == "body" {
					tables = append(tables, e)
				}
			}
			requests := len(srv.Requests())
			if !tc.promoted {
				if len(doc.Candidates) != 1 {
					t.Fatalf("candidates %+v, want the refused table", doc.Candidates)
				}
				c := doc.Candidates[0]
				if c.Type != "table" || c.Layer != "candidate" || c.Confidence >= 0.5 || !strings.Contains(c.Text, "Ca2+") {
					t.Errorf("candidate %+v: want a doubtful table candidate holding the labels", c)
				}
				if len(tables) != 0 || layers["replaced"] != 0 {
					t.Errorf("tables %+v, layers %v: a refusal kept makes no table", tables, layers)
				}
				if requests != 0 {
					t.Errorf("%d model requests, want none", requests)
				}
				if n := strings.Count(string(md), "Ca2+"); n != 1 {
					t.Errorf("Markdown holds Ca2+ %d times, want once:\n%s", n, md)
				}
				return
			}
			if len(doc.Candidates) != 0 {
				t.Errorf("candidates %+v left after the model found the table", doc.Candidates)
			}
			if len(tables) != 1 || tables[0].Model != "openai/gpt-4.1-mini" || tables[0].Table == nil || len(tables[0].Table.Rows) != 6 {
				t.Fatalf("body tables %+v, want the model's table of 6 rows", tables)
			}
			if layers["replaced"] == 0 {
				t.Errorf("layers %v: the labels the table covers should be replaced", layers)
			}
			if requests != 1 {
				t.Errorf("%d model requests, want 1", requests)
			}
			if n := strings.Count(string(md), "Ca2+"); n != 1 || !strings.Contains(string(md), "| Added cation |") {
				t.Errorf("Markdown should hold the table once and the labels only in it:\n%s", md)
			}
			if !strings.Contains(string(md), "titrate the filtrate") {
				t.Errorf("Markdown lost the prose:\n%s", md)
			}
			// Where did the table come from? The ledger knows the model.
			tr, _, code := runFolio(t, "trace", "-o", out, tables[0].ID)
			if code != 0 || !strings.Contains(tr, "gpt-4.1-mini") {
				t.Errorf("trace exit %d:\n%s", code, tr)
			}
		})
	}
}
