package serve

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

//go:embed templates assets
var files embed.FS

// layout is the template every page is parsed with: the document, its
// head and the navigation. A page template defines "title" and "content".
const layout = "templates/layout.html"

// parseTemplates parses each page template with the layout, by name
// (templates/runs.html is "runs").
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == layout {
			continue
		}
		t, err := template.New(path.Base(layout)).Funcs(funcs).ParseFS(files, layout, n)
		if err != nil {
			return nil, fmt.Errorf("parse templates: %w", err)
		}
		pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return pages, nil
}

// Page is what every template is executed with: the page's own data as
// Data, and what the layout and forms need.
type Page struct {
	Name string // the template's name, which marks the current tab
	// CSRF is the token a POST form must send as the field "csrf".
	CSRF string
	// Auth is whether the server asks for a token (to show "log out").
	Auth bool
	// ReadOnly is whether review decisions cannot be recorded.
	ReadOnly bool
	Data     any
}

// render executes the template name with data in the layout, as a whole:
// a template error gives a 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.renderStatus(w, r, http.StatusOK, name, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	t := s.pages[name]
	if t == nil {
		s.fail(w, r, fmt.Errorf("no template %q", name))
		return
	}
	p := Page{Name: name, CSRF: s.csrfToken(r), Auth: s.o.Token != "", ReadOnly: s.o.Decide == nil, Data: data}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// httpError is an error with the status it answers.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// fail answers err: its status for an httpError, 404 for an id not in the
// ledger, 500 otherwise (logged, and not shown, as it may name files).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := http.StatusInternalServerError, "internal error"
	var he *httpError
	switch {
	case errors.As(err, &he):
		code, msg = he.code, he.msg
	case errors.Is(err, lineage.ErrNotFound):
		code, msg = http.StatusNotFound, "not in the ledger"
	default:
		s.o.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	t := s.pages["error"]
	if t == nil || code == http.StatusInternalServerError && strings.HasPrefix(err.Error(), "render ") {
		http.Error(w, msg, code)
		return
	}
	var b bytes.Buffer
	if err := t.Execute(&b, Page{Name: "error", Auth: s.o.Token != "", Data: struct {
		Code int
		Msg  string
	}{code, msg}}); err != nil {
		http.Error(w, msg, code)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// funcs are the template helpers.
var funcs = template.FuncMap{
	"usd":      usd,
	"usdp":     func(p *int64) string { return usdPtr(p) },
	"versus":   versus,
	"rowcost":  rowCost,
	"costline": func(r lineage.CostRow, baseline bool) costLine { return costLine{r, baseline} },
	"saving":   saving,
	"stamp":    func(t time.Time) string { return stamp(t) },
	"seconds": func(s float64) string {
		return (time.Duration(s * float64(time.Second))).Round(time.Millisecond).String()
	},
	"latency":  func(d time.Duration) string { return d.Round(time.Microsecond).String() },
	"modelc":   modelClass,
	"add":      func(a, b int) int { return a + b },
	"query":    query,
	"joinargs": func(a []string) string { return strings.Join(a, " ") },
}

// usd formats micro-dollars as dollars to the micro-dollar, as folio cost
// prints them.
func usd(micros int64) string { return fmt.Sprintf("$%.6f", float64(micros)/1e6) }

func usdPtr(p *int64) string {
	if p == nil {
		return "unknown"
	}
	return usd(*p)
}

// versus compares spend with a baseline in Folio's one phrasing.
func versus(c folio.Cost) string {
	if c.BaselineUSDMicros == nil {
		return ""
	}
	return folio.VersusBaseline(c.USDMicros, *c.BaselineUSDMicros, c.Unpriced > 0)
}

// saving is baseline − spend, "" without a baseline.
func saving(spend int64, baseline *int64) string {
	if baseline == nil {
		return ""
	}
	return usd(*baseline - spend)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// modelPalette is how many colours boxes coloured by model take turns at.
const modelPalette = 8

// modelClass is the CSS class of a model's colour: the same model gets the
// same colour on every page.
func modelClass(model string) string {
	h := fnv.New32a()
	h.Write([]byte(model))
	return fmt.Sprintf("m%d", h.Sum32()%modelPalette)
}

// query builds a query string from key, value pairs, leaving out empty
// values: {{query "page" 2 "color" .Color}}.
func query(kv ...any) template.URL {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		val := fmt.Sprint(kv[i+1])
		if val != "" && val != "0" {
			v.Set(fmt.Sprint(kv[i]), val)
		}
	}
	return template.URL("?" + v.Encode())
}
