package segment

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// Running heads and footers of multi-page business reports, as office
// suites and browsers print them, stay out of the body.
func TestFurnitureReports(t *testing.T) {
	const pages = 5
	tests := []struct {
		name string
		// furniture writes page n's running lines.
		furniture func(b *pageBuilder, n int)
		// skip leaves the running lines off the pages it names (a cover).
		skip map[int]bool
	}{
		{"page n of m centred in the footer", func(b *pageBuilder, n int) {
			b.text(280, 760, 9, fmt.Sprintf("Page %d of %d", n, pages))
		}, nil},
		{"a title and page n of m on one footer line", func(b *pageBuilder, n int) {
			b.text(72, 760, 9, "Quarterly Business Review")
			b.text(470, 760, 9, fmt.Sprintf("Page %d of %d", n, pages))
		}, nil},
		{"a title with the page number after a dash", func(b *pageBuilder, n int) {
			b.text(250, 760, 9, fmt.Sprintf("Annual Report – %d", n))
		}, nil},
		{"mirrored footers: the page number on the outer edge beyond a bar", func(b *pageBuilder, n int) {
			if n%2 == 1 {
				b.text(330, 740, 9, "FY 2011 Annual Report")
				b.rule(528, 736, 528, 750)
				b.text(534, 740, 9, fmt.Sprint(n+14))
			} else {
				b.text(68, 740, 9, fmt.Sprint(n+14))
				b.rule(85, 736, 85, 750)
				b.text(91, 740, 9, "FY 2011 Annual Report")
			}
		}, nil},
		{"a page number alone in the footer", func(b *pageBuilder, n int) {
			b.text(300, 760, 9, fmt.Sprint(n))
		}, nil},
		{"a browser's header and footer: date, title, address, n/m", func(b *pageBuilder, n int) {
			b.text(20, 14, 8, "12/7/26, 8:44 PM")
			b.text(270, 14, 8, "Sales report")
			b.text(20, 775, 8, "file:///home/ana/reports/sales.html")
			b.text(570, 775, 8, fmt.Sprintf("%d/%d", n, pages))
		}, nil},
		{"a two-line letterhead on most pages, not the cover", func(b *pageBuilder, n int) {
			b.text(72, 30, 9, "Northwind Traders Ltd")
			b.text(72, 42, 9, "Internal – not for distribution")
		}, map[int]bool{1: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bs []*pageBuilder
			var want []string // the running lines' words, page by page
			for n := 1; n <= pages; n++ {
				b := newPage(n)
				if !tt.skip[n] {
					tt.furniture(b, n)
				}
				for _, w := range b.p.Words {
					want = append(want, fmt.Sprintf("%d %s", n, w.Text))
				}
				y := b.para(72, 100, 450, 10, 12, fmt.Sprintf("Section %d. %s.", n, lorem))
				b.para(72, y+12, 450, 10, 12, lorem+" "+lorem)
				bs = append(bs, b)
			}
			var got []string // the furniture's words, page by page
			for _, e := range New(Options{}).Segment(parsed(bs...)) {
				if e.Layer == folio.LayerFurniture {
					for _, w := range strings.Fields(e.Text) {
						got = append(got, fmt.Sprintf("%d %s", e.Page, w))
					}
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("furniture words (-want +got):\n%s", diff)
			}
		})
	}
}
