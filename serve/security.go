package serve

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
)

// Cookie names.
const (
	sessionCookie = "folio_session"
	csrfCookie    = "folio_csrf"
	// CSRFField is the form field (or X-CSRF-Token header) that carries
	// Page.CSRF in a POST.
	CSRFField = "csrf"
)

// securityHeaders are sent with every response. The content security
// policy allows the server's own style sheet and script only: no inline
// script or style, no framing.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-store",
}

// secure wraps the routes with what every request passes: security
// headers, the Host check, the token, and for a POST the body limit, the
// origin check and the CSRF token.
func (s *Server) secure(next http.Handler) http.Handler {
	origins := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		// Without a token the server trusts this machine only; a page of
		// another site whose name was made to resolve here (DNS
		// rebinding) arrives with that name as Host.
		if s.o.Token == "" && !isLoopback(hostOnly(r.Host)) {
			http.Error(w, "unexpected Host header", http.StatusMisdirectedRequest)
			return
		}
		s.ensureCSRFCookie(w, r)
		bearer := s.bearer(r)
		if s.o.Token != "" && !public(r.URL.Path) && !bearer && !s.session(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="folio"`)
			s.renderStatus(w, r, http.StatusUnauthorized, "login", loginData{Next: r.URL.Path})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := origins.Check(r); err != nil {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				} else {
					http.Error(w, "malformed form", http.StatusBadRequest)
				}
				return
			}
			// A bearer token is never sent by a browser on its own, so a
			// request carrying one is not forged by another site.
			if !bearer && !s.csrfOK(r) {
				http.Error(w, "missing or invalid CSRF token: reload the page", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return strings.Trim(h, "[]")
	}
	return strings.Trim(hostport, "[]")
}

// sign returns the server key's MAC of msg, as cookie-safe text.
func (s *Server) sign(msg string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// equal compares secrets in constant time, whatever their lengths.
func equal(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// bearer reports whether r carries the token as Authorization: Bearer.
func (s *Server) bearer(r *http.Request) bool {
	if s.o.Token == "" {
		return false
	}
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && equal(strings.TrimSpace(t), s.o.Token)
}

// sessionValue is the login cookie's value: valid until the server
// restarts, as the key is new at every start.
func (s *Server) sessionValue() string { return s.sign("session\x00" + s.o.Token) }

// session reports whether r carries the cookie POST /login set.
func (s *Server) session(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	return err == nil && equal(c.Value, s.sessionValue())
}

// ensureCSRFCookie gives the browser a random CSRF nonce when it has none;
// forms carry the nonce's MAC (csrfToken), which another site can neither
// read nor compute.
func (s *Server) ensureCSRFCookie(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(csrfCookie); err == nil && c.Value != "" {
		return
	}
	c := &http.Cookie{Name: csrfCookie, Value: rand.Text(), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
	http.SetCookie(w, c)
	r.AddCookie(c) // so that the page rendered now carries its token
}

// csrfToken is the token the forms of a page rendered for r carry.
func (s *Server) csrfToken(r *http.Request) string {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	return s.sign("csrf\x00" + c.Value)
}

// csrfOK reports whether a POST carries the token of its CSRF cookie.
func (s *Server) csrfOK(r *http.Request) bool {
	want := s.csrfToken(r)
	if want == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return equal(got, want)
}

// loginData is the login page's data.
type loginData struct {
	Next  string
	Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "login", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks the token posted and sets the session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	if s.o.Token == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if !equal(r.PostFormValue("token"), s.o.Token) {
		s.renderStatus(w, r, http.StatusUnauthorized, "login", loginData{Next: next, Error: "wrong token"})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.sessionValue(), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a redirect after login on this server: a path, never
// another site ("//evil", "/\evil", "https://…").
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	return p
}
