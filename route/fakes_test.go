package route_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// fake is a specialist whose behaviour each test chooses.
type fake struct {
	name string
	run  func(ctx context.Context, t route.Task) (route.Result, error)
}

func (f fake) Name() string { return f.name }

func (f fake) Run(ctx context.Context, t route.Task) (route.Result, error) { return f.run(ctx, t) }

// checked is a fake with a quality check of its own.
type checked struct {
	fake
	check func(t route.Task, r route.Result) error
}

func (c checked) Check(t route.Task, r route.Result) error { return c.check(t, r) }

// echo returns the element's text unchanged.
func echo(name string) fake {
	return fake{name, func(_ context.Context, t route.Task) (route.Result, error) {
		s := t.Element.Text
		return route.Result{Text: &s}, nil
	}}
}

// failing returns err.
func failing(name string, err error) fake {
	return fake{name, func(context.Context, route.Task) (route.Result, error) { return route.Result{}, err }}
}

// stuck is how long a test waits for something that happens at once
// before it calls it stuck: a hang guard, which only a failing test waits
// out, however slow or busy the machine.
const stuck = 2 * time.Minute

// gauge counts concurrent runs and remembers the peak.
type gauge struct {
	mu              sync.Mutex
	cur, peak, runs int
	met             chan struct{} // see company
	alone           *time.Timer   // closes met after stuck
}

func (g *gauge) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cur++
	g.runs++
	g.peak = max(g.peak, g.cur)
	if g.met != nil && g.cur >= 2 {
		g.meet()
	}
}

// company returns a channel closed once two runs are in at the same time,
// or after stuck. A run that waits for it before leaving makes runs that
// can overlap do so on a machine of any speed, instead of hoping that they
// happen to; runs that cannot overlap wait until stuck, and then show a
// peak of 1.
func (g *gauge) company() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.met == nil {
		g.met = make(chan struct{})
		if g.peak >= 2 {
			g.meet()
		} else {
			g.alone = time.AfterFunc(stuck, func() {
				g.mu.Lock()
				defer g.mu.Unlock()
				g.meet()
			})
		}
	}
	return g.met
}

// meet closes met, once; g.mu is held.
func (g *gauge) meet() {
	select {
	case <-g.met:
	default:
		close(g.met)
		if g.alone != nil {
			g.alone.Stop()
		}
	}
}

func (g *gauge) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cur--
}

func (g *gauge) stats() (peak, runs int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak, g.runs
}

// textPolicy routes paragraphs through the named specialists.
func textPolicy(links ...route.Link) route.Policy {
	return route.Policy{Routes: map[folio.ElementType][]route.Link{folio.Paragraph: links}}
}

func links(names ...string) []route.Link {
	ls := make([]route.Link, len(names))
	for i, n := range names {
		ls[i] = route.Link{Specialist: n}
	}
	return ls
}

// newDoc returns a document of n paragraphs with ids assigned.
func newDoc(rel string, n int) *folio.Document {
	doc := &folio.Document{
		ID:     folio.DocumentID("sha-"+rel, "test", rel),
		Source: folio.Source{Rel: rel, Format: "pdf", Pages: 1},
		Pages:  []folio.PageInfo{{Page: 1, Width: 612, Height: 792, TextLayer: true}},
	}
	for i := range n {
		doc.Elements = append(doc.Elements, folio.Element{
			ID:   folio.ElementID(doc.ID, i),
			Type: folio.Paragraph, Page: 1, Layer: folio.LayerBody,
			Text: fmt.Sprintf("paragraph %d", i), Confidence: 0.9,
		})
	}
	return doc
}

// newRouter builds a router on a pool closed when the test ends.
func newRouter(t *testing.T, workers int, p route.Policy, specs ...route.Specialist) *route.Router {
	t.Helper()
	pool := route.NewPool(workers)
	t.Cleanup(pool.Close)
	r, err := route.New(p, pool, specs...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
