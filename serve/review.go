package serve

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// reviewerCookie remembers the name a browser last decided under, so the
// form comes filled in.
const reviewerCookie = "folio_reviewer"

// Bounds on what a review form may carry.
const (
	maxGridRows  = 500
	maxGridCols  = 50
	maxCellBytes = 4000
)

type queueData struct {
	Items   []lineage.ReviewEntry
	Status  string
	Decided bool
	Pager   pager
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := queueData{Status: cmp.Or(q.Get("status"), folio.StatusReview), Decided: q.Get("decided") == "1"}
	if d.Status != folio.StatusReview && d.Status != folio.StatusDegraded {
		s.fail(w, r, badRequest("status: want review or degraded"))
		return
	}
	off, err := intParam(r, "offset", 0, maxOffset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, total, err := s.o.DB.ReviewQueue(r.Context(), lineage.ReviewFilter{Status: d.Status, Decided: d.Decided, Limit: PageSize, Offset: off})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Items, d.Pager = items, pager{off, PageSize, total}
	s.render(w, r, "review", d)
}

// itemData is one element under review: the region of its page beside
// the answers to choose from, and the forms.
type itemData struct {
	Item     lineage.ReviewItem
	ImageURL string
	// View is the crop of the page the element covers, in points, and
	// the page's size: an SVG shows the page image through it.
	ViewX, ViewY, ViewW, ViewH float64
	PageW, PageH               float64
	Box                        folio.Box
	Content                    string // the element's text from the output JSON
	Table                      *folio.Table
	Grid                       [][]string // the editor's cells: the table plus an empty row and column
	HeaderRows                 int
	Reviewer                   string
	Done                       string // the decision just recorded
	Error                      string
	Notes                      []string
}

func (s *Server) reviewItemPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.itemData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Done = r.URL.Query().Get("done")
	if d.Done != folio.ActionAccept && d.Done != folio.ActionCorrect && d.Done != folio.ActionReject {
		d.Done = ""
	}
	s.render(w, r, "review_item", d)
}

func (s *Server) itemData(r *http.Request) (*itemData, error) {
	id := r.PathValue("id")
	if !elementIDPattern.MatchString(id) {
		return nil, notFound("no element %q", id)
	}
	it, err := s.o.DB.ReviewItem(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := &itemData{Item: it, Box: it.Element.Box, Content: it.Element.Text}
	if c, err := r.Cookie(reviewerCookie); err == nil {
		if name, err := url.QueryUnescape(c.Value); err == nil {
			d.Reviewer = name
		}
	}
	view, err := s.o.DB.DocumentView(r.Context(), it.Document.ID, it.Document.Rec, -1)
	if err != nil {
		return nil, err
	}
	out, note := s.readOutput(view)
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	d.PageW, d.PageH = pageSize(out, it.Element.Page, nil)
	if e := findElement(out, id); e != nil {
		d.Content, d.Table = e.Text, e.Table
	}
	if d.Table == nil && it.Element.Type == folio.TableType {
		for _, a := range it.Answers {
			if a.Table != nil {
				d.Table = a.Table
				break
			}
		}
	}
	if d.Table != nil {
		d.Grid, d.HeaderRows = editorGrid(d.Table), d.Table.HeaderRows
	}
	// The crop: the element with a margin of a sixth of the page's width.
	m := d.PageW / 6
	b := it.Element.Box
	d.ViewX, d.ViewY = max(0, b[0]-m), max(0, b[1]-m)
	d.ViewW, d.ViewH = min(d.PageW, b[2]+m)-d.ViewX, min(d.PageH, b[3]+m)-d.ViewY
	if s.o.Pages != nil && view.Source != "" {
		d.ImageURL = fmt.Sprintf("/docs/%s/pages/%d.png", it.Document.ID, it.Element.Page)
	}
	return d, nil
}

// editorGrid is t's cells with one empty row and column more, for a
// reviewer to add to; empty ones are dropped on the way back.
func editorGrid(t *folio.Table) [][]string {
	cols := 0
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	g := make([][]string, 0, len(t.Rows)+1)
	for _, r := range t.Rows {
		row := make([]string, cols+1)
		copy(row, r)
		g = append(g, row)
	}
	return append(g, make([]string, cols+1))
}

// decide records the decision a review form posts, then shows the element
// again with the outcome.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	if s.o.Decide == nil {
		s.fail(w, r, &httpError{http.StatusForbidden, "this server is read-only: decisions cannot be recorded"})
		return
	}
	id := r.PathValue("id")
	if !elementIDPattern.MatchString(id) {
		s.fail(w, r, notFound("no element %q", id))
		return
	}
	d, err := decisionFromForm(r, id)
	if err == nil {
		_, err = s.o.Decide(r.Context(), d)
	}
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) && !errors.Is(err, lineage.ErrNotFound) {
			s.o.Logger.Warn("review decision refused", "element", id, "err", err)
			err = badRequest("decision not recorded: %s", errText(err))
		}
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: reviewerCookie, Value: url.QueryEscape(d.Reviewer), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int((365 * 24 * time.Hour).Seconds())})
	http.Redirect(w, r, "/review/"+id+"?done="+d.Action, http.StatusSeeOther)
}

// decisionFromForm reads a review form: action, answer, text or cells,
// reviewer and note.
func decisionFromForm(r *http.Request, id string) (folio.Decision, error) {
	if err := r.ParseForm(); err != nil {
		return folio.Decision{}, badRequest("form: %v", err)
	}
	f := r.PostForm
	d := folio.Decision{Element: id, Action: f.Get("action"), Answer: f.Get("answer"),
		Reviewer: strings.TrimSpace(f.Get("reviewer")), Note: f.Get("note")}
	if d.Reviewer == "" {
		return d, badRequest("give your name as reviewer")
	}
	if err := d.Check(); err != nil && d.Action != folio.ActionCorrect {
		return d, badRequest("%v", err)
	}
	if d.Action == folio.ActionCorrect {
		if f.Has("cells") {
			t, err := gridFromForm(f)
			if err != nil {
				return d, err
			}
			d.Table = t
		} else {
			d.Text = f.Get("text")
		}
		if err := d.Check(); err != nil {
			return d, badRequest("%v", err)
		}
	}
	return d, nil
}

// gridFromForm reads the grid editor's cell-R-C fields, dropping trailing
// empty rows and columns.
func gridFromForm(f url.Values) (*folio.Table, error) {
	rows, err1 := strconv.Atoi(f.Get("rows"))
	cols, err2 := strconv.Atoi(f.Get("cols"))
	if err1 != nil || err2 != nil || rows < 1 || cols < 1 || rows > maxGridRows || cols > maxGridCols {
		return nil, badRequest("grid: rows and cols out of range")
	}
	grid := make([][]string, rows)
	lastRow, lastCol := -1, -1
	for i := range rows {
		grid[i] = make([]string, cols)
		for j := range cols {
			v := strings.TrimSpace(f.Get(fmt.Sprintf("cell-%d-%d", i, j)))
			if len(v) > maxCellBytes {
				return nil, badRequest("grid: cell %d,%d longer than %d bytes", i+1, j+1, maxCellBytes)
			}
			grid[i][j] = v
			if v != "" {
				lastRow, lastCol = max(lastRow, i), max(lastCol, j)
			}
		}
	}
	if lastRow < 0 {
		return nil, badRequest("grid: every cell is empty (reject the element instead)")
	}
	grid = grid[:lastRow+1]
	for i := range grid {
		grid[i] = grid[i][:lastCol+1]
	}
	head, err := strconv.Atoi(cmp.Or(f.Get("header_rows"), "0"))
	if err != nil || head < 0 || head > len(grid) {
		return nil, badRequest("grid: header_rows out of range")
	}
	return &folio.Table{Rows: grid, HeaderRows: head}, nil
}
