package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// reviewFixture parses a PDF whose tables a model answers with a number
// that is not in the page: every answer is bought, read and rejected by the
// grounding check, so each table is in review with two answers, the
// segmenter's and the model's.
func reviewFixture(t *testing.T) (in, out, policy string) {
	t.Helper()
	srv := oaitest.New(t)
	steps := make([]oaitest.Step, 50)
	for i := range steps {
		steps[i] = oaitest.Step{Content: `{"rows": [["Region", "Q1"], ["North", "987654"]], "header_rows": 1, "cells": []}`}
	}
	srv.Script("gpt-4.1", steps...)
	policy = filepath.Join(t.TempDir(), "folio.yaml")
	yaml := fmt.Sprintf(`endpoints:
  test: {base_url: %q, api_key_env: FOLIO_TEST_KEY}
models:
  tab: {endpoint: test, model: gpt-4.1, input_per_mtok: 2.00, output_per_mtok: 8.00}
routes:
  table: [tab]
`, srv.URL)
	if err := os.WriteFile(policy, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	in = t.TempDir()
	data, err := os.ReadFile("../../testdata/samples/twotables_2.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "t.pdf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out = t.TempDir()
	if _, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy, "--markdown"); code != 0 {
		t.Fatalf("parse: exit %d: %s", code, stderr)
	}
	return in, out, policy
}

type reviewList struct {
	Total int `json:"total"`
	Items []struct {
		Element string `json:"element"`
		Type    string `json:"type"`
		Status  string `json:"status"`
		Path    string `json:"path"`
	} `json:"items"`
}

func listReview(t *testing.T, out string, extra ...string) reviewList {
	t.Helper()
	stdout, stderr, code := runFolio(t, append([]string{"review", "list", "-o", out, "--json"}, extra...)...)
	if code != 0 {
		t.Fatalf("review list: exit %d: %s", code, stderr)
	}
	var l reviewList
	if err := json.Unmarshal([]byte(stdout), &l); err != nil {
		t.Fatalf("review list: %v: %s", err, stdout)
	}
	return l
}

// runFolioStdin runs folio with stdin.
func runFolioStdin(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

func tableByID(t *testing.T, jsonPath, id string) (status, model, text string, rows [][]string) {
	t.Helper()
	for _, e := range readDoc(t, jsonPath).Elements {
		if e.ID == id {
			if e.Table != nil {
				rows = e.Table.Rows
			}
			return e.Status, e.Model, e.Text, rows
		}
	}
	t.Fatalf("%s: no element %s", jsonPath, id)
	return
}

// A decision from the command line is lineage (trace shows it), is applied
// to the JSON and Markdown at once, leaves the queue, and survives a re-run
// that redoes the document; a changed source is reviewed afresh.
func TestReviewDecisions(t *testing.T) {
	in, out, policy := reviewFixture(t)
	jsonPath, mdPath := filepath.Join(out, "t.pdf.json"), filepath.Join(out, "t.pdf.md")
	q := listReview(t, out)
	if q.Total < 2 || len(q.Items) != q.Total {
		t.Fatalf("review queue: %+v, want the document's tables (at least 2)", q)
	}
	first, second := q.Items[0].Element, q.Items[1].Element

	// show: the segmenter's answer and the model's rejected one.
	stdout, stderr, code := runFolio(t, "review", "show", "-o", out, first, "--json")
	if code != 0 {
		t.Fatalf("review show: exit %d: %s", code, stderr)
	}
	var item struct {
		Answers []struct{ Model, Status, Reason string } `json:"answers"`
	}
	if err := json.Unmarshal([]byte(stdout), &item); err != nil {
		t.Fatal(err)
	}
	if len(item.Answers) != 2 || item.Answers[0].Status != "ok" || item.Answers[1].Model != "openai/gpt-4.1" ||
		item.Answers[1].Status != "rejected" || !strings.HasPrefix(item.Answers[1].Reason, "grounding:") {
		t.Fatalf("answers: %+v, want the kept one and openai/gpt-4.1's rejected for grounding", item.Answers)
	}

	// accept the model's answer.
	stdout, stderr, code = runFolio(t, "review", "accept", "-o", out, first, "--answer", "model", "--reviewer", "ana", "--note", "checked the scan", "--json")
	if code != 0 {
		t.Fatalf("review accept: exit %d: %s", code, stderr)
	}
	var dec struct{ Fragment, Action, Reviewer, Answer string }
	if err := json.Unmarshal([]byte(stdout), &dec); err != nil || dec.Action != "accept" || dec.Answer != "openai/gpt-4.1" || !strings.HasPrefix(dec.Fragment, "fr_") {
		t.Fatalf("accept: %v %+v", err, dec)
	}
	status, model, _, rows := tableByID(t, jsonPath, first)
	if status != "ok" || model != "human/ana" || len(rows) != 2 || rows[1][1] != "987654" {
		t.Errorf("after accept: status %s model %s rows %v; want ok, human/ana, the model's grid", status, model, rows)
	}
	md, _ := os.ReadFile(mdPath)
	if !bytes.Contains(md, []byte("987654")) {
		t.Errorf("the Markdown lacks the accepted table:\n%s", md)
	}

	// correct the second from a JSON object on stdin.
	in2 := fmt.Sprintf(`{"element": %q, "action": "correct", "cells": [["A", "B"], ["1", "2"]], "reviewer": "bo"}`, second)
	if _, stderr, code := runFolioStdin(t, in2, "review", "decide", "-o", out, "-"); code != 0 {
		t.Fatalf("review decide: exit %d: %s", code, stderr)
	}
	status, model, text, rows := tableByID(t, jsonPath, second)
	if status != "ok" || model != "human/bo" || fmt.Sprint(rows) != "[[A B] [1 2]]" || text != "A\tB\n1\t2" {
		t.Errorf("after correct: %s %s %q %v", status, model, text, rows)
	}
	if l := listReview(t, out); l.Total != q.Total-2 {
		t.Errorf("queue after two decisions: %d, want %d", l.Total, q.Total-2)
	}
	if l := listReview(t, out, "--decided"); l.Total != 2 {
		t.Errorf("decided: %d, want 2", l.Total)
	}

	// trace shows the decision as lineage, with the model's calls.
	stdout, _, code = runFolio(t, "trace", "-o", out, first)
	if code != 0 || !strings.Contains(stdout, "accept by human/ana") || !strings.Contains(stdout, "openai/gpt-4.1") {
		t.Errorf("trace lacks the decision or the model call (exit %d):\n%s", code, stdout)
	}

	// A plain re-run skips the document (its outputs match the ledger);
	// a forced one redoes it and applies the decisions again.
	stdout, stderr, code = runWithKey(t, "parse", in, "-o", out, "--config", policy, "--markdown", "--json")
	if s, _ := summaryOf(t, stdout); code != 0 || s.Skipped != 1 {
		t.Fatalf("re-run: exit %d, summary %+v: %s", code, s, stderr)
	}
	if _, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy, "--markdown", "--force"); code != 0 {
		t.Fatalf("forced re-run: exit %d: %s", code, stderr)
	}
	if status, model, _, rows := tableByID(t, jsonPath, first); status != "ok" || model != "human/ana" || rows[1][1] != "987654" {
		t.Errorf("after a forced re-run: %s %s %v; want the decision kept", status, model, rows)
	}
	if status, model, _, _ := tableByID(t, jsonPath, second); status != "ok" || model != "human/bo" {
		t.Errorf("after a forced re-run: %s %s; want the correction kept", status, model)
	}

	// A changed source is a new document to review.
	f, err := os.OpenFile(filepath.Join(in, "t.pdf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n% changed\n")
	f.Close()
	if _, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy, "--markdown"); code != 0 {
		t.Fatalf("parse of the changed source: exit %d: %s", code, stderr)
	}
	for _, e := range readDoc(t, jsonPath).Elements {
		if e.Type == "table" && (e.Status != "review" || strings.HasPrefix(e.Model, "human/")) {
			t.Errorf("changed source: table %s %s %s; want review again", e.ID, e.Status, e.Model)
		}
	}
	if l := listReview(t, out); l.Total != q.Total {
		t.Errorf("queue after the source changed: %d, want %d", l.Total, q.Total)
	}
}

// Bad decisions are refused with the reason and change nothing.
func TestReviewRefused(t *testing.T) {
	_, out, _ := reviewFixture(t)
	jsonPath := filepath.Join(out, "t.pdf.json")
	before, _ := os.ReadFile(jsonPath)
	id := listReview(t, out).Items[0].Element
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"review", "accept", "-o", out, "el_0000000000000000dead"}, 1, "not found"},
		{[]string{"review", "accept", "-o", out, id, "--answer", "openai/nope"}, 1, "no answer from"},
		{[]string{"review", "correct", "-o", out, id}, 2, "needs text or table cells"},
		{[]string{"review", "reject", "-o", out, id, "--reviewer", "a\nb"}, 2, "one line"},
		{[]string{"review", "list", "-o", out, "--status", "ok"}, 2, "want review or degraded"},
	} {
		_, stderr, code := runFolio(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d %q; want %d with %q", tc.args[1:3], code, stderr, tc.code, tc.msg)
		}
	}
	if after, _ := os.ReadFile(jsonPath); !bytes.Equal(before, after) {
		t.Error("a refused decision changed the JSON")
	}
}
