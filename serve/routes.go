package serve

import (
	"io/fs"
	"net/http"
)

// route is one page or endpoint: a ServeMux pattern (method first) and its
// handler. GET routes never change state; POST routes pass the CSRF and
// origin checks of secure before they run.
type route struct {
	pattern string
	handler http.HandlerFunc
}

// routes is the route table: to add a page, add its route here, a handler
// that calls s.render with the template's name, and templates/NAME.html
// defining "title" and "content". Add it to the navigation in
// templates/layout.html when it is a top-level page.
func (s *Server) routes() []route {
	return []route{
		{"GET /{$}", s.runsPage},
		{"GET /runs/{id}", s.runPage},
		{"GET /docs/{id}", s.docPage},
		{"GET /docs/{id}/pages/{file}", s.pageImage},
		{"GET /cost", s.costPage},
		{"GET /cost.csv", s.costCSV},
		{"GET /cost/time.csv", s.costTimeCSV},
		{"GET /quality.csv", s.qualityCSV},
		{"GET /quality.json", s.qualityJSON},
		{"GET /quality", s.qualityPage},
		{"GET /review", s.reviewPage},
		{"GET /review/{id}", s.reviewItemPage},
		{"POST /review/{id}", s.decisions.Limit(http.HandlerFunc(s.decide)).ServeHTTP},
		{"GET /login", s.loginPage},
		{"POST /login", s.logins.Limit(http.HandlerFunc(s.login)).ServeHTTP},
		{"POST /logout", s.logout},
	}
}

// public are the paths served without a token: the login form and the
// style sheet and script it uses.
func public(path string) bool {
	return path == "/login" || len(path) > len("/assets/") && path[:len("/assets/")] == "/assets/"
}

func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.HandleFunc(r.pattern, r.handler)
	}
	assets, _ := fs.Sub(files, "assets") // a constant directory of the embedded files
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	return mux
}
