package segment

import (
	"fmt"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func TestNumberingDepth(t *testing.T) {
	for s, want := range map[string]int{
		"2 Results": 1, "2.1 Results": 2, "2.1.3. Details": 3, "A.1 Proofs": 2, "IV. Discussion": 1,
		"Chapter 3 Methods": 1, "Appendix B": 1, "Results": 0, "2014 was": 0, "a.b": 0,
		"제1장 서론": 1, "제 2 절 연구 방법": 2, "第三章 总论": 1, "第2節 方法": 2, "제품 소개": 0,
	} {
		if got, _ := numberingDepth(s); got != want {
			t.Errorf("numberingDepth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestHeadingLevels(t *testing.T) {
	b := newPage(1)
	y := 60.0
	add := func(s string, size float64, bold bool) {
		b.text(72, y, size, s, style{bold: bold})
		y += size + 8
		y = b.para(72, y, 450, 10, 12, lorem) + 14
	}
	add("1 Introduction", 14, true)
	add("1.1 Background", 12, true)
	add("1.1.1 Earlier work", 10, true)
	add("Unnumbered Section", 14, true)
	add("2 Methods", 14, true)
	els := New(Options{}).Segment(parsed(b))
	type h struct {
		Text  string
		Level int
	}
	var got []h
	parents := map[string]int{}
	for _, e := range els {
		if e.Type == folio.Heading {
			got = append(got, h{e.Text, e.Level})
		}
		if e.Type == folio.Paragraph {
			parents[els[e.ParentRef-1].Text]++
		}
	}
	want := []h{{"1 Introduction", 1}, {"1.1 Background", 2}, {"1.1.1 Earlier work", 3}, {"Unnumbered Section", 1}, {"2 Methods", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
	if len(parents) != 5 {
		t.Errorf("paragraph parents = %v, want one paragraph under each heading", parents)
	}
}

func TestNotHeadings(t *testing.T) {
	b := newPage(1)
	b.para(72, 60, 450, 10, 12, lorem)
	b.text(72, 120, 10, "Note that this bold sentence ends with a period.", style{bold: true})
	b.para(72, 140, 450, 10, 12, lorem)
	b.text(72, 200, 10, "Table 3: Results of the study", style{bold: true})
	b.para(72, 220, 450, 10, 12, lorem)
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.Heading || e.Type == folio.Title {
			t.Errorf("%s %q, want no heading", e.Type, e.Text)
		}
	}
}

// Headings the body's style hides: a numbered section taken for a list
// item, display type ending in a full stop, a bold line with a colon over
// its block, and a short bold line over a list.
func TestHeadingsInBodyStyle(t *testing.T) {
	b := newPage(1)
	y := b.para(72, 60, 450, 12, 14, lorem+" "+lorem) + 14
	b.text(72, y, 12, "5. Natural dispersal", style{bold: true})
	y = b.para(72, y+20, 450, 12, 14, lorem) + 14
	b.text(72, y, 18, "Humanity's Home Base.")
	y = b.para(72, y+26, 450, 12, 14, lorem) + 14
	b.text(72, y, 12, "As a boater:", style{bold: true})
	y = b.para(72, y+20, 450, 12, 14, lorem) + 14
	b.text(72, y, 12, "Replace", style{bold: true})
	y += 20
	for _, it := range []string{"a. Replace plastics with paper.", "b. Reuse what can be reused."} {
		b.text(72, y, 12, it)
		y += 16
	}
	b.para(72, y+10, 450, 12, 14, lorem)
	var got []string
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.Heading || e.Type == folio.Title {
			got = append(got, e.Text)
		}
	}
	want := []string{"5. Natural dispersal", "Humanity's Home Base.", "As a boater:", "Replace"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
}

// A bold line that ends in a hyphen runs on into the paragraph below it.
func TestHyphenatedRunInIsNoHeading(t *testing.T) {
	b := newPage(1)
	y := b.para(72, 60, 450, 10, 12, lorem) + 14
	b.text(72, y, 10, "Ablation on the base models. When ap-", style{bold: true})
	b.para(72, y+12, 450, 10, 12, lorem)
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.Heading || e.Type == folio.Title {
			t.Errorf("%s %q, want no heading", e.Type, e.Text)
		}
	}
}

// Korean chapter and section marks head their sections even at the body's
// size and weight.
func TestKoreanSectionMarks(t *testing.T) {
	b := newPage(1)
	body := "본 연구는 문서 구조 분석의 정확도를 높이기 위한 방법을 제안한다 실험 결과는 제안한 방법이 기존 방법보다 우수함을 보여준다 " +
		"또한 다양한 문서 형식에 대하여 일관된 성능을 보인다"
	y := b.para(72, 60, 450, 10, 14, body+" "+body) + 14
	b.text(72, y+6, 10, "제1장 서론")
	y = b.para(72, y+30, 450, 10, 14, body) + 14
	b.text(72, y+6, 10, "제1절 연구 배경")
	b.para(72, y+30, 450, 10, 14, body)
	var got []string
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.Heading {
			got = append(got, fmt.Sprintf("%d %s", e.Level, e.Text))
		}
	}
	if diff := cmp.Diff([]string{"1 제1장 서론", "2 제1절 연구 배경"}, got); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
}
