package segment

import "sort"

// segmentPage lays out one page: tables and figures first, so that their
// words stay out of the text; then reading order over what is left, then
// blocks. Furniture found earlier goes first (headers) or last (footers).
func (d *doc) segmentPage(pg *page) {
	figures := d.findFigures(pg)
	pictured, figures := d.rasterTables(pg, figures)
	figures = append(figures, d.findVectorFigures(pg, figures)...)
	tables := append(pictured, d.findRuledTables(pg, figures)...)
	labels := map[*item][]*word{}
	for _, f := range figures {
		if ws := figureLabels(pg, f); len(ws) > 0 {
			labels[f] = ws
		}
	}
	tables = append(tables, d.findContents(pg)...)
	if !d.opt.NoUnruledTables {
		tables = append(tables, d.findTextTables(pg, tables, figures)...)
	}
	var atoms []atom
	for _, w := range pg.words {
		if !w.used {
			atoms = append(atoms, atom{box: w.Box, w: w})
		}
	}
	for _, t := range tables {
		atoms = append(atoms, atom{box: t.box, obj: t})
	}
	for _, f := range figures {
		atoms = append(atoms, atom{box: f.box, obj: f})
	}
	size := d.bodySize
	leaves := newCutter(size, d.opt.ColumnGap).order(atoms)
	es := sequence(leaves)
	drawnBullets(pg, es)
	b := &blocker{pitch: linePitch(es), gap: d.opt.ParagraphGap, body: d.bodySize}

	var body []*item
	for _, blk := range b.blocks(es) {
		if blk[0].obj != nil {
			it := blk[0].obj
			it.flow = blk[0].col
			body = append(body, it)
			if ws := labels[it]; len(ws) > 0 {
				body = append(body, labelItems(pg.num, ws, it)...)
			}
			continue
		}
		body = append(body, newTextItem(pg.num, blk))
	}

	var head, foot []*item
	for _, f := range pg.furniture {
		if f.box.CenterY() < pg.h/2 {
			head = append(head, f)
		} else {
			foot = append(foot, f)
		}
	}
	byPos := func(v []*item) {
		sort.SliceStable(v, func(i, j int) bool {
			if v[i].box[1] != v[j].box[1] {
				return v[i].box[1] < v[j].box[1]
			}
			return v[i].box[0] < v[j].box[0]
		})
	}
	byPos(head)
	byPos(foot)
	body = append(body, asideItems(pg)...)
	pg.items = append(append(head, body...), foot...)
}

// asideItems reads the words set at an angle to the page's text, each
// angle in its own frame, as paragraphs.
func asideItems(pg *page) []*item {
	groups := map[int][]*word{}
	for _, w := range pg.aside {
		if w.used {
			continue
		}
		q := quarter(w.Angle)
		groups[q] = append(groups[q], w)
	}
	var out []*item
	for _, q := range []int{90, 270, 180, -1} {
		ws := groups[q]
		if len(ws) == 0 {
			continue
		}
		f := frame{angle: max(q, 0), w: pg.w, h: pg.h}
		turned := make([]*word, len(ws))
		for i, w := range ws {
			turned[i] = w.turned(f.box(w.Box))
		}
		var es []entry
		for _, l := range buildLines(turned) {
			es = append(es, entry{ln: l})
		}
		b := &blocker{pitch: 1.25, gap: DefaultParagraphGap}
		for _, blk := range b.blocks(es) {
			it := newTextItem(pg.num, blk)
			it.box = f.unbox(it.box)
			it.lines = nil // in another frame: no heading or caption tests
			it.conf = 0.5
			out = append(out, it)
		}
	}
	return out
}

// labelItems makes paragraphs of the words inside a figure, marked as
// figure text so that they never become headings or captions.
func labelItems(pg int, ws []*word, fig *item) []*item {
	lines := buildLines(ws)
	var out []*item
	// Labels are scattered: each line piece is its own label.
	for _, l := range lines {
		for _, s := range splitLine(l, 1.5) {
			it := newTextItem(pg, []entry{{ln: s}})
			it.figure = true
			it.flow = fig.flow
			it.conf = 0.6
			out = append(out, it)
		}
	}
	return out
}
