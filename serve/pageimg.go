package serve

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"regexp"
)

// ErrSourceChanged is returned, wrapped, by a PageDrawer whose source file
// no longer has the content the ledger recorded.
var ErrSourceChanged = errors.New("source changed since it was parsed")

// pageCache is the folder, under the output folder, of drawn pages:
// pages/<sha256>/<page>-<dpi>.png.
const pageCache = ".folio/pages"

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// pageImage serves a page drawn at PageDPI, from the cache when it was
// drawn before. The cache path is made of the ledger's SHA-256 and an
// integer page only.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, ok := pageFile(r.PathValue("file"))
	if !docIDPattern.MatchString(id) || !ok {
		s.fail(w, r, notFound("no such page"))
		return
	}
	if s.o.Pages == nil {
		s.fail(w, r, notFound("pages are not drawn by this server"))
		return
	}
	v, err := s.o.DB.DocumentView(r.Context(), id, 0, -1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case n > v.Pages:
		s.fail(w, r, notFound("document %s has %d pages", id, v.Pages))
		return
	case v.Source == "":
		s.fail(w, r, notFound("the ledger does not say where %s was read (recorded before schema 6)", v.Path))
		return
	case !sha256Pattern.MatchString(v.SHA256):
		s.fail(w, r, fmt.Errorf("document %s: recorded sha256 %q is not a SHA-256", id, v.SHA256))
		return
	}
	name := path.Join(pageCache, v.SHA256, fmt.Sprintf("%d-%d.png", n, PageDPI))
	png, err := s.root.ReadFile(name)
	if err != nil {
		if png, err = s.drawPage(r, v.Source, v.SHA256, n, name); err != nil {
			switch {
			case errors.Is(err, ErrSourceChanged):
				s.fail(w, r, &httpError{http.StatusConflict, fmt.Sprintf("%s: %v", v.Path, ErrSourceChanged)})
			case errors.Is(err, fs.ErrNotExist):
				s.fail(w, r, notFound("%s: the source file is gone", v.Path))
			default:
				s.fail(w, r, err)
			}
			return
		}
	}
	w.Header().Set("Content-Type", "image/png")
	// The URL names a document id, which names its content: the image
	// of a page does not change.
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(png)
}

// drawPage draws a page, at most maxDrawing at a time, and caches it at
// name, atomically: a temporary file synced, then renamed.
func (s *Server) drawPage(r *http.Request, source, sha string, n int, name string) ([]byte, error) {
	select {
	case s.drawing <- struct{}{}:
		defer func() { <-s.drawing }()
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	png, err := s.o.Pages.DrawPage(r.Context(), source, sha, n, PageDPI)
	if err != nil {
		return nil, fmt.Errorf("draw page %d of %s: %w", n, source, err)
	}
	if err := s.cache(name, png); err != nil {
		s.o.Logger.Warn("cache page image", "err", err) // the image is served all the same
	}
	return png, nil
}

func (s *Server) cache(name string, data []byte) error {
	dir := path.Dir(name)
	if err := s.root.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := path.Join(dir, ".tmp-"+rand.Text())
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.root.Rename(tmp, name)
	}
	if err != nil {
		s.root.Remove(tmp)
	}
	return err
}
