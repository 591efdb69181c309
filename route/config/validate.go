package config

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// builtin names the local specialists a link may always use.
var builtin = []string{"local/image", "local/table", "local/text"}

// Limits on values that must convert to integers or that route.Validate
// bounds.
const (
	maxUSD  = 1e9  // budget.max_usd
	maxArea = 1e12 // when.min_area and decorative.min_area, in square points
	maxDPI  = 1200 // models.*.min_image_dpi
)

// validate checks the values of a decoded file and their references to one
// another. Known names extra specialists besides builtin.
func (d *decoder) validate(f *File, known []string) {
	specialists := slices.Concat(builtin, known)
	d.checkEndpoints(f)
	d.checkModels(f, specialists)
	d.checkRoutes(f, specialists)
	d.checkRun(f)
}

func (d *decoder) checkEndpoints(f *File) {
	for _, name := range sortedKeys(f.Endpoints) {
		e, p := f.Endpoints[name], "endpoints."+name
		d.checkURL(p+".base_url", e.BaseURL)
		if e.APIKeyEnv != "" {
			d.checkEnvName(p+".api_key_env", e.APIKeyEnv)
		}
		for _, h := range sortedKeys(e.Headers) {
			d.checkHeader(p+".headers."+h, h, e.Headers[h])
		}
		d.checkCount(p+".concurrency", e.Concurrency)
		d.checkCount(p+".rpm", e.RPM)
		d.checkCount(p+".tpm", e.TPM)
	}
}

func (d *decoder) checkURL(field, s string) {
	if s == "" {
		d.fail(field, "required: the server's URL, such as https://api.openai.com/v1")
		return
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		d.fail(field, "%q is not an absolute http or https URL", s)
	case u.User != nil:
		d.fail(field, "must not hold credentials; name the environment variable holding the key in api_key_env")
	}
}

func (d *decoder) checkEnvName(field, s string) {
	bare := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "$"), "{"), "}")
	switch {
	case looksSecret(s):
		d.fail(field, "%s looks like an API key, not the name of an environment variable: put the key in an environment variable and name that here, such as OPENAI_API_KEY", redact(s))
	case bare != s && isEnvName(bare):
		d.fail(field, "write the variable's name without $ or braces: %s", bare)
	case !isEnvName(s):
		// Not echoed: it may be a key that does not look like one.
		d.fail(field, "not the name of an environment variable (letters, digits and _, not starting with a digit)")
	}
}

func (d *decoder) checkHeader(field, name, value string) {
	switch {
	case !isToken(name):
		d.fail(field, "%q is not a valid header name", name)
	case strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "api-key"):
		d.fail(field, "the key is sent from the variable api_key_env names; never write it in the file")
	case looksSecret(value):
		d.fail(field, "the value looks like a secret; headers must not hold keys, use api_key_env")
	case strings.ContainsAny(value, "\r\n"):
		d.fail(field, "the value must be on one line")
	}
}

func (d *decoder) checkModels(f *File, specialists []string) {
	endpoints := sortedKeys(f.Endpoints)
	for _, alias := range sortedKeys(f.Models) {
		m, p := f.Models[alias], "models."+alias
		switch {
		case alias == "":
			d.fail(p, "an alias must not be empty")
		case strings.HasPrefix(alias, "local/"):
			d.fail(p, "an alias must not start with local/, which names local specialists")
		case slices.Contains(specialists, alias):
			d.fail(p, "alias %q is also the name of a specialist", alias)
		}
		switch {
		case m.Endpoint == "":
			d.fail(p+".endpoint", "required: the name of one of the endpoints")
		case f.Endpoints == nil:
			d.fail(p+".endpoint", "unknown endpoint %q: the file declares no endpoints", m.Endpoint)
		default:
			if _, ok := f.Endpoints[m.Endpoint]; !ok {
				d.fail(p+".endpoint", "unknown endpoint %q%s", m.Endpoint, oneOf(m.Endpoint, endpoints))
			}
		}
		if m.Model == "" {
			d.fail(p+".model", "required: the model's name on its endpoint, such as gpt-4.1-mini")
		}
		d.checkPrice(p+".input_per_mtok", m.InputPerMTok)
		d.checkPrice(p+".cached_input_per_mtok", m.CachedInputPerMTok)
		d.checkPrice(p+".output_per_mtok", m.OutputPerMTok)
		switch m.ImageTokens {
		case "", ImageTokensTiles512, ImageTokensPatches32:
		default:
			d.fail(p+".image_tokens", "unknown formula %q%s", m.ImageTokens, oneOf(m.ImageTokens, []string{ImageTokensTiles512, ImageTokensPatches32}))
		}
		d.checkCount(p+".max_output_tokens", m.MaxOutputTokens)
		if d.present(p+".min_image_dpi") && !(m.MinImageDPI > 0 && m.MinImageDPI <= maxDPI) {
			d.fail(p+".min_image_dpi", "%v is not above 0 and at most %d", m.MinImageDPI, maxDPI)
		}
	}
}

func (d *decoder) checkPrice(field string, price *float64) {
	switch {
	case price == nil:
	case math.IsNaN(*price) || math.IsInf(*price, 0):
		d.fail(field, "must be a finite number")
	case *price < 0:
		d.fail(field, "%v is negative", *price)
	}
}

func (d *decoder) checkRoutes(f *File, specialists []string) {
	types := sortedKeys(route.DefaultPolicy().Routes)
	names := slices.Concat(sortedKeys(f.Models), specialists)
	for _, t := range sortedKeys(f.Routes) {
		chain, p := f.Routes[t], "routes."+string(t)
		if !slices.Contains(types, t) {
			d.fail(p, "unknown element type %q%s", t, oneOf(string(t), typeNames(types)))
			continue
		}
		if len(chain) == 0 {
			d.fail(p, "the chain is empty; name at least one link, such as [local/text]")
			continue
		}
		seen := map[string]bool{}
		for i, l := range chain {
			lp := fmt.Sprintf("%s[%d]", p, i)
			d.checkLink(f, t, lp, l, seen, specialists, names)
			d.checkRule(t, lp+".when", l.When)
		}
	}
}

func (d *decoder) checkLink(f *File, t folio.ElementType, field string, l route.Link, seen map[string]bool, specialists, names []string) {
	if _, ok := d.lines[field+".model"]; ok {
		field += ".model"
	}
	name := l.Specialist
	m, isModel := f.Models[name]
	switch {
	case name == "":
		d.fail(field, "required: a model alias or a local specialist")
	case seen[name]:
		d.fail(field, "%s appears twice in the chain", name)
	case slices.Contains(specialists, name):
	case strings.HasPrefix(name, "local/"):
		d.fail(field, "unknown specialist %q%s", name, oneOf(name, specialists))
	case !isModel:
		d.fail(field, "unknown model or specialist %q%s", name, oneOf(name, names))
	case t == folio.ImageType && !m.Vision:
		d.fail(field, "model %q cannot see images: it does not set vision: true", name)
	}
	seen[name] = true
}

func (d *decoder) checkRule(t folio.ElementType, field string, r route.Rule) {
	switch {
	case r.MinCells < 0:
		d.fail(field+".min_cells", "%d is negative", r.MinCells)
	case r.MinCells > 0 && t != folio.TableType:
		d.fail(field+".min_cells", "applies only to tables")
	}
	if d.present(field+".max_confidence") && !(r.MaxConfidence > 0 && r.MaxConfidence <= 1) {
		d.fail(field+".max_confidence", "%v is not above 0 and at most 1", r.MaxConfidence)
	}
	if d.present(field+".min_confidence") && !(r.MinConfidence > 0 && r.MinConfidence <= 1) {
		d.fail(field+".min_confidence", "%v is not above 0 and at most 1", r.MinConfidence)
	}
	if d.present(field+".max_ocr_confidence") && !(r.MaxOCRConfidence > 0 && r.MaxOCRConfidence <= 1) {
		d.fail(field+".max_ocr_confidence", "%v is not above 0 and at most 1", r.MaxOCRConfidence)
	}
	if !(r.MinArea >= 0 && r.MinArea < maxArea) {
		d.fail(field+".min_area", "%v is not at least 0 and below %g", r.MinArea, maxArea)
	}
}

// checkRun checks the baseline, the budget, retries, timeout and the
// decorative thresholds.
func (d *decoder) checkRun(f *File) {
	if b := f.Baseline; b != "" {
		m, ok := f.Models[b]
		switch {
		case !ok:
			d.fail("baseline", "unknown model %q%s", b, oneOf(b, sortedKeys(f.Models)))
		case !m.Vision:
			d.fail("baseline", "model %q cannot see images, and the baseline sends each page as one", b)
		}
	}
	if x := f.Budget.MaxUSD; x != nil {
		switch {
		case math.IsNaN(*x) || math.IsInf(*x, 0):
			d.fail("budget.max_usd", "must be a finite number")
		case *x < 0:
			d.fail("budget.max_usd", "%v is negative", *x)
		case *x > maxUSD:
			d.fail("budget.max_usd", "%v is more than %g", *x, maxUSD)
		}
	}
	d.checkPeriodBudget(f.Budget)
	switch f.Budget.OnExhausted {
	case "", OnExhaustedDegrade, OnExhaustedFail:
	default:
		d.fail("budget.on_exhausted", "%q is not %s or %s", f.Budget.OnExhausted, OnExhaustedDegrade, OnExhaustedFail)
	}
	switch f.OnUnavailable {
	case "", OnUnavailableDefer, OnUnavailableDegrade:
	default:
		d.fail("on_unavailable", "%q is not %s or %s", f.OnUnavailable, OnUnavailableDefer, OnUnavailableDegrade)
	}
	if f.Retries != nil {
		d.checkCount("retries", *f.Retries)
	}
	if d.present("timeout") && f.Timeout <= 0 {
		d.fail("timeout", "%v is not positive", f.Timeout)
	}
	dec := f.Decorative
	if d.present("decorative.min_area") && !(dec.MinArea > 0 && dec.MinArea < maxArea) {
		d.fail("decorative.min_area", "%v is not above 0 and below %g", dec.MinArea, maxArea)
	}
	if d.present("decorative.max_aspect") && !(dec.MaxAspect >= 1 && dec.MaxAspect < maxArea) {
		d.fail("decorative.max_aspect", "%v is not at least 1", dec.MaxAspect)
	}
	if d.present("decorative.repeated_pages") && dec.RepeatedPages < 1 {
		d.fail("decorative.repeated_pages", "%d is not at least 1", dec.RepeatedPages)
	}
}

func (d *decoder) checkCount(field string, n int) {
	if n < 0 {
		d.fail(field, "%d is negative", n)
	}
}

// fail reports a problem with field at its line, unless one was reported.
func (d *decoder) fail(field, format string, args ...any) {
	if d.bad[field] {
		return
	}
	d.errorf(d.at(field), field, format, args...)
}

// present reports whether the file sets field to a well-formed value.
func (d *decoder) present(field string) bool {
	_, ok := d.lines[field]
	return ok && !d.bad[field]
}

// at returns the line of field, or of its nearest enclosing field.
func (d *decoder) at(field string) int {
	for {
		if l, ok := d.lines[field]; ok {
			return l
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			return 0
		}
		field = field[:i]
	}
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

func typeNames(types []folio.ElementType) []string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	return s
}

// checkPeriodBudget checks a budget's period, per-tag caps and warning
// share.
func (d *decoder) checkPeriodBudget(b Budget) {
	switch b.Period {
	case "", PeriodDay, PeriodMonth:
	default:
		d.fail("budget.period", "%q is not %s or %s", b.Period, PeriodDay, PeriodMonth)
	}
	if len(b.PerTag) > 0 && b.Period == "" {
		d.fail("budget.per_tag", "needs budget.period: a tag's cap is over a day or a month")
	}
	for _, tag := range sortedKeys(b.PerTag) {
		x := b.PerTag[tag]
		k, v, ok := strings.Cut(tag, "=")
		switch {
		case !ok || k == "" || v == "":
			d.fail("budget.per_tag."+tag, "is not a run tag KEY=VALUE")
		case math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || x > maxUSD:
			d.fail("budget.per_tag."+tag, "%v is not a dollar amount from 0 to %g", x, maxUSD)
		}
	}
	if b.WarnAt < 0 || b.WarnAt > 1 || math.IsNaN(b.WarnAt) {
		d.fail("budget.warn_at", "%v is not a share from 0 to 1", b.WarnAt)
	}
}
