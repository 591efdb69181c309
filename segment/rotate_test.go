package segment

import (
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// TestTurnedPage lays a page out, turns all of it a quarter (as a
// landscape table printed sideways), and expects the same reading.
func TestTurnedPage(t *testing.T) {
	for _, angle := range []int{90, 270} {
		b := ruledPage()
		want := texts(New(Options{}).Segment(parsed(b)))
		f := frame{angle: angle, w: b.p.Height, h: b.p.Width} // the turned page is landscape
		turned := b.p
		turned.Width, turned.Height = b.p.Height, b.p.Width
		turned.Words = nil
		for _, w := range b.p.Words {
			w.Box = f.unbox(w.Box)
			w.Angle = float64(angle)
			turned.Words = append(turned.Words, w)
		}
		turned.Rulings = nil
		for _, r := range b.p.Rulings {
			bx := f.unbox(folio.Box{r.X0, r.Y0, r.X1, r.Y1})
			turned.Rulings = append(turned.Rulings, folio.Ruling{X0: bx[0], Y0: bx[1], X1: bx[2], Y1: bx[3]})
		}
		got := texts(New(Options{}).Segment(&folio.Parsed{Pages: []folio.Page{turned}}))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("angle %d: elements (-want +got):\n%s", angle, diff)
		}
	}
}

func TestQuarter(t *testing.T) {
	for a, want := range map[float64]int{0: 0, 89.5: 90, -90: 270, 180: 180, 359: 0, 45: -1} {
		if got := quarter(a); got != want {
			t.Errorf("quarter(%v) = %d, want %d", a, got, want)
		}
	}
}
