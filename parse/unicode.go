package parse

// Reading a page's characters one FPDFText_GetUnicode call at a time costs
// a guest call each (about half a microsecond with WithCloseOnContextDone).
// FPDFText_GetText returns them all at once, but it leaves out characters
// PDFium deems non-printing (the hyphen mark 0x02 among them) and those
// outside the BMP, and writes U+FFFE for the hyphen mark. pageUnicode maps the bulk text back to character indices
// with FPDFText_GetCharIndexFromTextIndex, reads the left-out characters one
// by one, and checks samples against FPDFText_GetUnicode; when anything does
// not add up it falls back to one call per character.

// unicodeSamples is how many characters pageUnicode checks per page, beyond
// the neighbours of left-out characters.
const unicodeSamples = 8

// pageUnicode returns the code points of characters 0..n-1 of a text page.
func (d *docParser) pageUnicode(tp uint32, n int) []rune {
	if rs, ok := d.bulkUnicode(tp, n); ok {
		return rs
	}
	l := d.l
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = rune(l.call(fnTextGetUnicode, uint64(tp), uint64(i)))
	}
	return rs
}

// bulkUnicode reads the characters with FPDFText_GetText; ok is false when
// the result cannot be trusted.
func (d *docParser) bulkUnicode(tp uint32, n int) (rs []rune, ok bool) {
	l := d.l
	if n <= 0 || n > 1<<24 {
		return nil, false
	}
	buf := l.ensureBuf(uint32(n+1) * 2)
	m := int(int32(l.call(fnTextGetText, uint64(tp), 0, uint64(n), uint64(buf)))) - 1 // without the NUL
	if l.err != nil || m < 0 || m > n {
		return nil, false
	}
	raw := l.read(buf, uint32(m)*2)
	if len(raw) != m*2 {
		return nil, false
	}
	text := make([]rune, m)
	for i := range text {
		text[i] = rune(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
	}
	rs = make([]rune, n)
	filled := make([]bool, n)
	// Text index t holds character charIndex(t); charIndex(t)-t grows by
	// one at each left-out character. Find the steps by bisection.
	charIndex := func(t int) int {
		return int(int32(l.call(fnTextCharIndexFromTextIndex, uint64(tp), uint64(t))))
	}
	var fill func(lo, hi, clo, chi int) bool
	fill = func(lo, hi, clo, chi int) bool {
		if clo < 0 || chi >= n || chi-clo < hi-lo || l.err != nil {
			return false
		}
		if chi-clo == hi-lo { // no gap in between
			for t := lo; t <= hi; t++ {
				rs[clo+t-lo], filled[clo+t-lo] = text[t], true
			}
			return true
		}
		if hi-lo <= 1 {
			rs[clo], filled[clo] = text[lo], true
			rs[chi], filled[chi] = text[hi], true
			return true
		}
		mid := (lo + hi) / 2
		cmid := charIndex(mid)
		return cmid > clo && cmid < chi && fill(lo, mid, clo, cmid) && fill(mid, hi, cmid, chi)
	}
	if m > 0 && !fill(0, m-1, charIndex(0), charIndex(m-1)) {
		return nil, false
	}
	// Read the left-out characters and check their neighbours and a few
	// samples against FPDFText_GetUnicode.
	check := func(i int) bool {
		return i < 0 || i >= n || !filled[i] || rune(l.call(fnTextGetUnicode, uint64(tp), uint64(i))) == rs[i]
	}
	for i := range rs {
		if filled[i] && rs[i] != 0xFFFE { // GetText writes U+FFFE for the hyphen mark
			continue
		}
		filled[i] = false
		rs[i] = rune(l.call(fnTextGetUnicode, uint64(tp), uint64(i)))
		if !check(i-1) || !check(i+1) {
			return nil, false
		}
	}
	for k := range unicodeSamples {
		if !check(k * (n - 1) / max(unicodeSamples-1, 1)) {
			return nil, false
		}
	}
	return rs, l.err == nil
}
