package segment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/folio/folio"
)

// This file measures what table confidence means: every table the
// segmenter emits is matched to the truth tables of its document the way
// ../shared/eval/score.py matches them (cell-text overlap of at least
// 0.3, greedy), and scored by the ICDAR-2013 adjacency F1 of its cells.
// A table that matches nothing in a document whose truth covers all its
// tables is a false table and scores 0; in sets whose truth covers only
// some tables (tool outputs) unmatched tables are left out and recall
// stands for F1. Run with TestEval:
//
//	go test ./segment/ -run TestEval -eval-pages /tmp/folio-pages -eval-out /tmp/folio-eval \
//	    -eval-truth ../shared/corpus/icdar2013,../shared/corpus/docling-pdf,...

// tableScore is one emitted table's confidence and adjacency F1.
type tableScore struct {
	doc  string
	page int
	conf float64
	f1   float64
}

type truthDoc struct {
	Set      string `json:"set"`
	Coverage string `json:"coverage"`
	Elements []struct {
		Type  string     `json:"type"`
		Cells [][]string `json:"cells"`
	} `json:"elements"`
}

// scoreTables matches the tables of els against the truth file at path.
func scoreTables(path, doc string, els []folio.Element) ([]tableScore, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var td truthDoc
	if err := json.Unmarshal(b, &td); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	partial := td.Set == "camelot-lattice" || td.Set == "tabula-java"
	var truth [][][]string
	for _, e := range td.Elements {
		if e.Type == "table" && len(e.Cells) > 0 {
			truth = append(truth, e.Cells)
		}
	}
	var pred []folio.Element
	for _, e := range els {
		if e.Type == folio.TableType && e.Table != nil {
			pred = append(pred, e)
		}
	}
	type pair struct {
		s    float64
		i, j int
	}
	var pairs []pair
	for i, t := range truth {
		ct := cellBag(t)
		for j, p := range pred {
			cp := cellBag(p.Table.Rows)
			inter, union := bagOverlap(ct, cp)
			s := 0.0
			switch {
			case partial:
				s = float64(inter) / float64(max(1, bagSize(ct)))
			case union > 0:
				s = float64(inter) / float64(union)
			}
			if s >= 0.3 {
				pairs = append(pairs, pair{s, i, j})
			}
		}
	}
	sort.Slice(pairs, func(a, b int) bool {
		if pairs[a].s != pairs[b].s {
			return pairs[a].s > pairs[b].s
		}
		if pairs[a].i != pairs[b].i {
			return pairs[a].i > pairs[b].i
		}
		return pairs[a].j > pairs[b].j
	})
	usedT, usedP := map[int]bool{}, map[int]bool{}
	match := map[int]int{}
	for _, p := range pairs {
		if !usedT[p.i] && !usedP[p.j] {
			usedT[p.i], usedP[p.j] = true, true
			match[p.j] = p.i
		}
	}
	var out []tableScore
	for j, p := range pred {
		i, ok := match[j]
		if !ok && partial {
			continue
		}
		f := 0.0
		if ok {
			rt, rp := adjacencyRel(truth[i]), adjacencyRel(p.Table.Rows)
			tp, _ := bagOverlap(rt, rp)
			if partial {
				f = float64(tp) / float64(max(1, bagSize(rt)))
			} else {
				f = f1(tp, bagSize(rp), bagSize(rt))
			}
		}
		out = append(out, tableScore{doc: doc, page: p.Page, conf: p.Confidence, f1: f})
	}
	return out, nil
}

// normText folds text the way score.py's norm does, NFKC aside: lower
// case, only letters, digits and "%.-" kept, commas part words, words of
// dots and dashes dropped.
func normText(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '%' || r == '.' || r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	var ws []string
	for _, w := range strings.Fields(b.String()) {
		if strings.Trim(w, ".-") != "" {
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " ")
}

func cellBag(rows [][]string) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		for _, c := range r {
			if n := normText(c); n != "" {
				m[n]++
			}
		}
	}
	return m
}

// adjacencyRel returns the ICDAR-2013 adjacency relations of a dense
// grid: each non-empty cell with the next non-empty one to its right and
// below it.
func adjacencyRel(rows [][]string) map[string]int {
	m := map[string]int{}
	norm := make([][]string, len(rows))
	ncol := 0
	for r, row := range rows {
		norm[r] = make([]string, len(row))
		for c, s := range row {
			norm[r][c] = normText(s)
		}
		ncol = max(ncol, len(row))
		var ne []string
		for _, s := range norm[r] {
			if s != "" {
				ne = append(ne, s)
			}
		}
		for i := 1; i < len(ne); i++ {
			m["h\x00"+ne[i-1]+"\x00"+ne[i]]++
		}
	}
	for c := range ncol {
		var col []string
		for _, row := range norm {
			if c < len(row) && row[c] != "" {
				col = append(col, row[c])
			}
		}
		for i := 1; i < len(col); i++ {
			m["v\x00"+col[i-1]+"\x00"+col[i]]++
		}
	}
	return m
}

func bagOverlap(a, b map[string]int) (inter, union int) {
	for k, n := range a {
		inter += min(n, b[k])
		union += max(n, b[k])
	}
	for k, n := range b {
		if _, ok := a[k]; !ok {
			union += n
		}
	}
	return inter, union
}

func bagSize(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func f1(tp, npred, ntrue int) float64 {
	if npred == 0 || ntrue == 0 {
		if npred == ntrue {
			return 1
		}
		return 0
	}
	p, r := float64(tp)/float64(npred), float64(tp)/float64(ntrue)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// truthPath returns the truth file for output name (<file>.pdf) in one
// of dirs, or "".
func truthPath(dirs []string, name string) string {
	for _, d := range dirs {
		for _, c := range []string{name + ".truth.json", strings.TrimSuffix(name, ".pdf") + ".truth.json"} {
			if p := filepath.Join(d, c); fileExists(p) {
				return p
			}
		}
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// confidenceReport sums up how well confidence predicts a bad table
// (adjacency F1 below 0.8).
func confidenceReport(ss []tableScore) []string {
	const bad = 0.8
	var out []string
	isBad := func(s tableScore) bool { return s.f1 < bad }
	count := func(f func(tableScore) bool) (n, b int) {
		for _, s := range ss {
			if f(s) {
				n++
				if isBad(s) {
					b++
				}
			}
		}
		return n, b
	}
	n, b := count(func(tableScore) bool { return true })
	out = append(out, fmt.Sprintf("tables %d, bad (adjacency F1 < %.1f) %d (%.0f%%)", n, bad, b, pct(b, n)))
	for _, th := range []float64{0.5, 0.6, 0.7} {
		ln, lb := count(func(s tableScore) bool { return s.conf < th })
		hn, hb := count(func(s tableScore) bool { return s.conf >= th })
		out = append(out, fmt.Sprintf("confidence < %.1f: %d tables, %d bad (%.0f%%); >= %.1f: %d tables, %d bad (%.0f%%)", th, ln, lb, pct(lb, ln), th, hn, hb, pct(hb, hn)))
	}
	// The chance that a good table outranks a bad one.
	var good, poor []float64
	for _, s := range ss {
		if isBad(s) {
			poor = append(poor, s.conf)
		} else {
			good = append(good, s.conf)
		}
	}
	if len(good) > 0 && len(poor) > 0 {
		w := 0.0
		for _, g := range good {
			for _, p := range poor {
				switch {
				case g > p:
					w++
				case g == p:
					w += 0.5
				}
			}
		}
		out = append(out, fmt.Sprintf("AUROC (confidence ranks good above bad) %.2f", w/float64(len(good)*len(poor))))
	}
	edges := []float64{0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01}
	for i := 0; i+1 < len(edges); i++ {
		lo, hi := edges[i], edges[i+1]
		var sum float64
		k, kb := 0, 0
		for _, s := range ss {
			if s.conf >= lo && s.conf < hi {
				k++
				sum += s.f1
				if isBad(s) {
					kb++
				}
			}
		}
		if k > 0 {
			out = append(out, fmt.Sprintf("  confidence [%.1f, %.1f): %3d tables, mean adjacency F1 %.3f, bad %d", lo, min(hi, 1), k, sum/float64(k), kb))
		}
	}
	return out
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func TestAdjacencyRel(t *testing.T) {
	rows := [][]string{{"A", "", "B"}, {"1", "2", ""}, {"3", "", "4"}}
	got := adjacencyRel(rows)
	want := map[string]int{
		"h\x00a\x00b": 1, "h\x001\x002": 1, "h\x003\x004": 1,
		"v\x00a\x001": 1, "v\x001\x003": 1, "v\x00b\x004": 1,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d relations, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("relation %q: got %d, want %d", k, got[k], v)
		}
	}
}
