package serve

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/folio/folio/lineage"
)

// Request parameters are checked against these before they reach the
// ledger; none is ever part of a file path.
var (
	runIDPattern     = regexp.MustCompile(`^run_[0-9A-Za-z]{1,64}$`)
	docIDPattern     = regexp.MustCompile(`^(doc|fail)_[0-9A-Za-z]{1,64}$`)
	elementIDPattern = regexp.MustCompile(`^el_[0-9A-Za-z]{1,64}$`)
)

// maxOffset bounds list offsets: past it a page is not worth reading.
const maxOffset = 1 << 30

// intParam reads a non-negative integer parameter, def when absent.
func intParam(r *http.Request, name string, def, maxV int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxV {
		return 0, badRequest("%s: want a whole number from 0 to %d", name, maxV)
	}
	return n, nil
}

// pager is the previous and next links of a list.
type pager struct {
	Offset, Limit, Total int
}

func (p pager) Prev() int     { return max(0, p.Offset-p.Limit) }
func (p pager) Next() int     { return p.Offset + p.Limit }
func (p pager) HasPrev() bool { return p.Offset > 0 }
func (p pager) HasNext() bool { return p.Offset+p.Limit < p.Total }
func (p pager) First() int    { return min(p.Offset+1, p.Total) }
func (p pager) Last() int     { return min(p.Offset+p.Limit, p.Total) }

type runsData struct {
	Runs  []lineage.RunRow
	Pager pager
}

func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) {
	off, err := intParam(r, "offset", 0, maxOffset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.o.DB.Runs(r.Context(), PageSize, off)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "runs", runsData{Runs: p.Runs, Pager: pager{off, PageSize, p.Total}})
}

type runData struct {
	Run       *lineage.RunRow
	Documents []lineage.DocumentRow
	Pager     pager
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !runIDPattern.MatchString(id) {
		s.fail(w, r, notFound("no run %q", id))
		return
	}
	off, err := intParam(r, "offset", 0, maxOffset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	run, err := s.o.DB.Run(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	docs, err := s.o.DB.RunDocuments(r.Context(), id, PageSize, off)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "run", runData{Run: run, Documents: docs.Documents, Pager: pager{off, PageSize, docs.Total}})
}
