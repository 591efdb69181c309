package testpdf

import (
	"bytes"
	"fmt"
	"testing"
)

// The xref table points at each object's first byte.
func TestBuildOffsets(t *testing.T) {
	b := Build("<< /Type /Catalog >>", "<< /A 1 >>")
	i := bytes.Index(b, []byte("xref\n"))
	if i < 0 {
		t.Fatal("no xref")
	}
	var n, off int
	rest := string(b[i:])
	if _, err := fmt.Sscanf(rest, "xref\n0 %d\n0000000000 65535 f \n%d 00000 n", &n, &off); err != nil {
		t.Fatalf("xref: %v (%q)", err, rest)
	}
	if n != 3 || !bytes.HasPrefix(b[off:], []byte("1 0 obj\n<< /Type /Catalog >>")) {
		t.Errorf("xref says %d objects, object 1 at %d: %q", n, off, b[off:min(len(b), off+30)])
	}
}
