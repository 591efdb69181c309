package parse

import "strings"

// Font descriptor flags (PDF 32000-1 9.8.2).
const (
	flagFixedPitch = 1 << 0
	flagItalic     = 1 << 6
	flagForceBold  = 1 << 18
)

// fontName returns a base font name without its subset prefix ("ABCDEF+")
// and without characters that do not belong in a name.
func fontName(name string) string {
	if len(name) > 7 && name[6] == '+' {
		subset := true
		for i := range 6 {
			if name[i] < 'A' || name[i] > 'Z' {
				subset = false
				break
			}
		}
		if subset {
			name = name[7:]
		}
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || r == 0xFFFD {
			return -1
		}
		return r
	}, name)
	if len(name) > 128 {
		name = name[:128]
	}
	return strings.TrimSpace(name)
}

// fontStyle infers bold, italic and fixed pitch from a font's name, weight
// and descriptor flags. Names carry the style more often than flags do
// ("Arial,Bold", "Times-BoldItalic", "NimbusMonL-Regu", "CMTT10").
func fontStyle(name string, weight int, flags uint32) (bold, italic, mono bool) {
	lower := strings.ToLower(name)
	// A name that states a light or regular style outranks a weight
	// PDFium guessed from stem widths (Montserrat-Regular reports 704).
	if namesPlainStyle(name) {
		weight = 0
	}
	bold = weight >= 600 || flags&flagForceBold != 0 ||
		containsAny(lower, "bold", "black", "heavy", "semibold", "demi", "extrab", "ultrab") ||
		hasPrefixAny(lower, texBold...)
	italic = flags&flagItalic != 0 || containsAny(lower, "italic", "oblique", "slanted") ||
		hasStyleSuffix(name, "It") || hasStyleSuffix(name, "Obl") || hasPrefixAny(lower, texItalic...)
	mono = flags&flagFixedPitch != 0 ||
		containsAny(lower, "courier", "mono", "consol", "menlo", "typewriter", "inconsolata", "sourcecode", "firacode") ||
		hasPrefixAny(lower, texMono...)
	return bold, italic, mono
}

// plainStyles are the style suffixes of a font name that say it is not
// bold.
var plainStyles = []string{"Regular", "Regu", "Roman", "Book", "Light", "Thin", "Medium", "Normal"}

// namesPlainStyle reports whether a font's name ends in a non-bold style
// ("Montserrat-Regular", "Calibri-Light", "NimbusRomNo9L-Regu").
func namesPlainStyle(name string) bool {
	for _, st := range plainStyles {
		if hasStyleSuffix(name, st) {
			return true
		}
	}
	return false
}

// TeX's font names carry the style in a prefix: Computer Modern (cmbx10,
// cmti10, cmtt10), EC/CM-Super (sfbx1000, sfti1000, sftt1000) and the
// Berry names of the standard fonts (ptmb8r, ptmri8r).
var (
	texBold   = []string{"cmbx", "cmb1", "cmssbx", "sfbx", "sfbi", "sfsx", "ptmb", "phvb", "pplb", "pncb"}
	texItalic = []string{"cmti", "cmmi", "cmsl", "cmbxti", "sfti", "sfsl", "sfbi", "sfit", "ptmri", "phvro", "pplri"}
	texMono   = []string{"cmtt", "sftt", "sfmono", "pcrr", "pcrb"}
)

// hasPrefixAny reports whether s starts with any of prefixes.
func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// containsAny reports whether s contains any of subs.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// hasStyleSuffix reports whether the style part of a font name (after the
// last '-' or ',') ends with suffix, as in "MinionPro-BoldIt".
func hasStyleSuffix(name, suffix string) bool {
	i := strings.LastIndexAny(name, "-,")
	if i < 0 {
		return false
	}
	return strings.HasSuffix(name[i+1:], suffix)
}
