package serve_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/serve"
)

func TestNewRefusesReachableAddressWithoutToken(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		addr, token string
		ok          bool
	}{
		{"", "", true}, // the default, 127.0.0.1:8080
		{"127.0.0.1:0", "", true},
		{"localhost:8080", "", true},
		{"[::1]:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"192.168.1.20:8080", "", false},
		{"folio.example.com:80", "", false},
		{"0.0.0.0:8080", "s3cret", true},
	} {
		s, err := serve.New(serve.Options{Out: f.out, DB: f.db, Addr: tt.addr, Token: tt.token})
		if tt.ok && err != nil {
			t.Errorf("New(%q, token %q) = %v, want a server", tt.addr, tt.token, err)
		}
		if !tt.ok && (err == nil || !strings.Contains(err.Error(), "--token") || !strings.Contains(err.Error(), "FOLIO_TOKEN")) {
			t.Errorf("New(%q) without token = %v, want an error naming --token and FOLIO_TOKEN", tt.addr, err)
		}
		if s != nil {
			if tt.addr == "" && s.Addr() != serve.DefaultAddr {
				t.Errorf("default address %s, want %s", s.Addr(), serve.DefaultAddr)
			}
			s.Close()
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	for _, p := range []string{"/", "/docs/doc_nope", "/cost.csv"} {
		res, _ := get(t, h, p)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", p, res.Header)
		}
	}
}

// TestHostCheck refuses, without a token, a request naming another host:
// a page of another site whose name was rebound to 127.0.0.1.
func TestHostCheck(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	res, _ := get(t, h, "/", func(r *http.Request) { r.Host = "evil.example:8080" })
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host evil.example: %d, want 421", res.StatusCode)
	}
	for _, host := range []string{"localhost:8080", "[::1]:8080", "127.0.0.1"} {
		if res, _ := get(t, h, "/", func(r *http.Request) { r.Host = host }); res.StatusCode != http.StatusOK {
			t.Errorf("Host %s: %d, want 200", host, res.StatusCode)
		}
	}
}

func TestToken(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{Token: "s3cret", Addr: "0.0.0.0:8080"}).Handler()
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	for _, tt := range []struct {
		name string
		path string
		mod  func(*http.Request)
		want int
	}{
		{"no token", "/", nil, http.StatusUnauthorized},
		{"no token, document", "/docs/" + f.doc.ID, nil, http.StatusUnauthorized},
		{"no token, CSV", "/cost.csv", nil, http.StatusUnauthorized},
		{"wrong token", "/", bearer("s3cre"), http.StatusUnauthorized},
		{"basic, not bearer", "/", func(r *http.Request) { r.SetBasicAuth("u", "s3cret") }, http.StatusUnauthorized},
		{"bearer", "/", bearer("s3cret"), http.StatusOK},
		{"bearer, CSV", "/cost.csv", bearer("s3cret"), http.StatusOK},
		{"forged session cookie", "/", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "folio_session", Value: "s3cret"}) }, http.StatusUnauthorized},
		{"login form is public", "/login", nil, http.StatusOK},
		{"style sheet is public", "/assets/style.css", nil, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*http.Request)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			res, body := get(t, h, tt.path, mods...)
			if res.StatusCode != tt.want {
				t.Errorf("GET %s = %d, want %d", tt.path, res.StatusCode, tt.want)
			}
			if tt.want == http.StatusUnauthorized && strings.Contains(body, "report.pdf") {
				t.Error("a refused request shows the ledger's content")
			}
		})
	}
}

// TestLoginFlow logs in the way a browser does: the login form, a POST
// with its CSRF token, then the session cookie.
func TestLoginFlow(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t, serve.Options{Token: "s3cret", Addr: "0.0.0.0:8080"}).Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar

	res := mustGet(t, c, ts.URL+"/")
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("before login: %d, want 401", res.StatusCode)
	}
	res = mustGet(t, c, ts.URL+"/login")
	token := csrfFrom(t, res)

	res, err := c.PostForm(ts.URL+"/login", url.Values{"token": {"wrong"}, "csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", res.StatusCode)
	}

	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err = c.PostForm(ts.URL+"/login", url.Values{"token": {"s3cret"}, "csrf": {token}, "next": {"//evil.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("login: %d to %q, want 303 to / (never to another site)", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "folio_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v, want HttpOnly and SameSite=Strict", session)
	}
	if res := mustGet(t, c, ts.URL+"/"); res.StatusCode != http.StatusOK {
		t.Errorf("after login: %d, want 200", res.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t, serve.Options{}).Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	token := csrfFrom(t, mustGet(t, c, ts.URL+"/login"))

	post := func(form url.Values, hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, tt := range []struct {
		name string
		form url.Values
		hdr  map[string]string
		want int
	}{
		{"no token", url.Values{}, nil, http.StatusForbidden},
		{"wrong token", url.Values{"csrf": {token + "x"}}, nil, http.StatusForbidden},
		{"cross-site", url.Values{"csrf": {token}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin", url.Values{"csrf": {token}}, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", url.Values{"csrf": {token}}, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"token in a header", url.Values{}, map[string]string{"X-CSRF-Token": token}, http.StatusSeeOther},
	} {
		if got := post(tt.form, tt.hdr); got != tt.want {
			t.Errorf("%s: POST /logout = %d, want %d", tt.name, got, tt.want)
		}
	}

	// Another browser's token is not this one's.
	other, _ := cookiejar.New(nil)
	c.Jar = other
	if got := post(url.Values{"csrf": {token}}, nil); got != http.StatusForbidden {
		t.Errorf("a token with another browser's cookie: %d, want 403", got)
	}
}

// TestGETNeverChangesState: the routes that change state answer POST
// only, and the pages refuse POST.
func TestMethods(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	if res, _ := get(t, h, "/logout"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /logout = %d, want 405", res.StatusCode)
	}
	for _, p := range []string{"/", "/cost", "/docs/" + f.doc.ID} {
		r := httptest.NewRequest(http.MethodPost, p, nil)
		r.Host = "127.0.0.1:8080"
		r.Header.Set("X-CSRF-Token", "irrelevant")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusMethodNotAllowed && w.Code != http.StatusForbidden {
			t.Errorf("POST %s = %d, want 405 or 403", p, w.Code)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t)
	h := f.server(t, serve.Options{}).Handler()
	body := "csrf=x&note=" + strings.Repeat("a", serve.MaxBodyBytes)
	r := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(body))
	r.Host = "127.0.0.1:8080"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST of %d bytes = %d, want 413", len(body), w.Code)
	}
}

// TestPathTraversal sends every parameter hostile paths: none may reach
// a file outside the output folder, nor the ledger itself.
func TestPathTraversal(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t, serve.Options{Pages: &drawer{}}).Handler())
	defer ts.Close()
	id := f.doc.ID
	for _, p := range []string{
		"/docs/../../secret.txt",
		"/docs/..%2f..%2fsecret.txt",
		"/docs/%2e%2e%2f%2e%2e%2fsecret.txt",
		"/docs/%2e%2e",
		"/docs/" + id + "/pages/..%2f..%2f..%2fsecret.txt",
		"/docs/" + id + "/pages/%2e%2e%2ffolio.db",
		"/docs/" + id + "/pages/..%2F1.png",
		"/docs/" + id + "/pages/1.png%00",
		"/docs/%2fetc%2fpasswd",
		"/docs//etc/passwd",
		"/docs/" + id + "?el=../../secret.txt",
		"/docs/" + id + "?el=%2e%2e%2fsecret.txt",
		"/docs/" + id + "?page=../1",
		"/docs/" + id + "?rec=-1",
		"/docs/" + id + "?rec=%2fetc%2fpasswd",
		"/runs/..%2f..%2fsecret.txt",
		"/runs/%2e%2e",
		"/runs/%2fetc%2fpasswd",
		"/cost?by=../secret.txt",
		"/cost.csv?scope=%2fetc%2fpasswd",
		"/assets/../folio.db",
		"/assets/%2e%2e/folio.db",
		"/assets/..%2f..%2fsecret.txt",
		"/assets/%2fetc%2fpasswd",
		"/folio.db",
		"/report.pdf.json",
	} {
		res, err := ts.Client().Get(ts.URL + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 400 or 404", p, res.StatusCode)
		}
		for _, leak := range []string{"TOP-SECRET-BYTES", "SQLite format 3", "root:x:0:0"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("GET %s served %q", p, leak)
			}
		}
	}
}

func TestRateLimiter(t *testing.T) {
	l := serve.NewRateLimiter(time.Hour, 2)
	for i, want := range []bool{true, true, false, false} {
		if got := l.Allow("a"); got != want {
			t.Errorf("request %d of a: Allow = %v, want %v", i+1, got, want)
		}
	}
	if !l.Allow("b") {
		t.Error("b is limited by a's requests")
	}

	// Login attempts are limited per client.
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t, serve.Options{Token: "s3cret", Addr: "0.0.0.0:0"}).Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	token := csrfFrom(t, mustGet(t, c, ts.URL+"/login"))
	var codes []int
	for range 8 {
		res, err := c.PostForm(ts.URL+"/login", url.Values{"token": {"guess"}, "csrf": {token}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		codes = append(codes, res.StatusCode)
	}
	if codes[0] != http.StatusUnauthorized || codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Errorf("login attempts answered %v, want 401 first and 429 at last", codes)
	}
}

func TestServeShutsDownWithContext(t *testing.T) {
	f := newFixture(t)
	s := f.server(t, serve.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET / = %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after ctx is done", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after ctx was done")
	}
}

func mustGet(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// csrfFrom reads the CSRF token of a page's forms.
func csrfFrom(t *testing.T, res *http.Response) string {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	const marker = `name="csrf" value="`
	i := strings.Index(string(body), marker)
	if i < 0 {
		t.Fatalf("no CSRF field in the page:\n%s", body)
	}
	rest := string(body)[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}
