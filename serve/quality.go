package serve

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/folio/folio/lineage"
)

// sinceChoice is one window of the quality page's since selector.
type sinceChoice struct {
	Value string // the query value: a number of days, or "all"
	Label string
	Days  int // 0 for all
}

// sinceChoices are the windows the quality page offers; defaultSince is
// the one it opens on: a month is long enough for MinEvidence answers on
// most links and short enough to reflect the current policy.
var sinceChoices = []sinceChoice{
	{"7", "last 7 days", 7}, {"30", "last 30 days", 30}, {"90", "last 90 days", 90}, {"all", "all time", 0},
}

const defaultSince = "30"

// qualityWindow reads since and returns its choice and the time it starts
// (the zero time for all).
func (s *Server) qualityWindow(r *http.Request) (sinceChoice, time.Time, error) {
	v := cmp.Or(r.URL.Query().Get("since"), defaultSince)
	for _, c := range sinceChoices {
		if c.Value != v {
			continue
		}
		if c.Days == 0 {
			return c, time.Time{}, nil
		}
		return c, s.o.Now().UTC().Add(-time.Duration(c.Days) * 24 * time.Hour), nil
	}
	return sinceChoice{}, time.Time{}, badRequest("since: want 7, 30, 90 or all")
}

// qualityReport is what the quality page, its CSV and its JSON show: the
// lineage reports as they come.
type qualityReport struct {
	Since           *time.Time               `json:"since"` // null for all time
	Links           []lineage.LinkStats      `json:"links"`
	Recommendations []lineage.Recommendation `json:"recommendations"`
}

func (s *Server) quality(r *http.Request) (sinceChoice, qualityReport, error) {
	c, since, err := s.qualityWindow(r)
	if err != nil {
		return c, qualityReport{}, err
	}
	rep := qualityReport{Links: []lineage.LinkStats{}, Recommendations: []lineage.Recommendation{}}
	if !since.IsZero() {
		rep.Since = &since
	}
	links, recs, err := s.qualityOf(r.Context(), since)
	if err != nil {
		return c, rep, err
	}
	rep.Links = append(rep.Links, links...)
	rep.Recommendations = append(rep.Recommendations, recs...)
	return c, rep, nil
}

// qualityData is the quality page's data.
type qualityData struct {
	Since   sinceChoice
	Choices []sinceChoice
	From    time.Time
	Links   []linkLine
	Recs    []lineage.Recommendation
}

// linkLine is one row of the link table, with its figures as shown.
type linkLine struct{ lineage.LinkStats }

func (l linkLine) AcceptancePct() string { return pct(l.AcceptanceRate) }
func (l linkLine) EscalationPct() string { return pct(l.EscalationRate) }
func (l linkLine) MeanLatency() string {
	return (time.Duration(l.MeanLatencyUS) * time.Microsecond).Round(time.Millisecond / 10).String()
}

// ReviewSummary says what reviewers did with the elements the link made a
// call for.
func (l linkLine) ReviewSummary() string {
	v := l.Review
	if v.Elements == 0 {
		return ""
	}
	return fmt.Sprintf("%d reached review: %d undecided, %d accepted local, %d accepted model (%d this link's), %d corrected, %d rejected",
		v.Elements, v.Undecided, v.AcceptedLocal, v.AcceptedModel, v.AcceptedLink, v.Corrected, v.Rejected)
}

// AgreementSummary compares the link's answers with the local ones.
func (l linkLine) AgreementSummary() string {
	g := l.Agreement
	if g.Compared == 0 {
		return ""
	}
	s := fmt.Sprintf("agreed %d of %d", g.Agreed, g.Compared)
	if g.Decided > 0 {
		s += fmt.Sprintf("; of %d decided, local right %d, link right %d", g.Decided, g.LocalRight, g.LinkRight)
	}
	return s
}

// pct formats a rate as a percentage with one decimal.
func pct(r float64) string { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }

func (s *Server) qualityPage(w http.ResponseWriter, r *http.Request) {
	c, rep, err := s.quality(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := qualityData{Since: c, Choices: sinceChoices, Recs: rep.Recommendations}
	if rep.Since != nil {
		d.From = *rep.Since
	}
	for _, l := range rep.Links {
		d.Links = append(d.Links, linkLine{l})
	}
	s.render(w, r, "quality", d)
}

// qualityJSON is the link table and the recommendations as one JSON
// document, for scripts.
func (s *Server) qualityJSON(w http.ResponseWriter, r *http.Request) {
	_, rep, err := s.quality(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		s.fail(w, r, fmt.Errorf("quality json: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

// qualityCSV is the link table as CSV, money in micro-dollars and latency
// in microseconds, as in the ledger.
func (s *Server) qualityCSV(w http.ResponseWriter, r *http.Request) {
	c, rep, err := s.quality(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	header := []string{"type", "rule", "model", "local", "attempts", "accepted", "rejected", "failed", "refused",
		"escalated", "cache_hits", "acceptance_rate", "escalation_rate", "usd_micros", "rejected_usd_micros", "unpriced",
		"mean_latency_us", "review_elements", "review_undecided", "review_accepted_local", "review_accepted_model",
		"review_accepted_link", "review_corrected", "review_rejected", "agreement_compared", "agreement_agreed",
		"agreement_decided", "agreement_local_right", "agreement_link_right"}
	rows := make([][]string, 0, len(rep.Links))
	i := strconv.Itoa
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, l := range rep.Links {
		v, g := l.Review, l.Agreement
		rows = append(rows, []string{string(l.Type), l.Rule, l.Model, strconv.FormatBool(l.Local),
			i(l.Attempts), i(l.Accepted), i(l.Rejected), i(l.Failed), i(l.Refused), i(l.Escalated), i(l.CacheHits),
			f(l.AcceptanceRate), f(l.EscalationRate), i64(l.USDMicros), i64(l.RejectedUSDMicros), i(l.Unpriced),
			i64(l.MeanLatencyUS), i(v.Elements), i(v.Undecided), i(v.AcceptedLocal), i(v.AcceptedModel),
			i(v.AcceptedLink), i(v.Corrected), i(v.Rejected), i(g.Compared), i(g.Agreed), i(g.Decided),
			i(g.LocalRight), i(g.LinkRight)})
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="folio-quality-%s.csv"`, c.Value))
	if err := writeCSV(w, header, rows); err != nil {
		s.o.Logger.Warn("write quality CSV", "err", err)
	}
}

// qualityCache keeps the last quality reports: they read every call of
// their window, and stay true until the ledger changes (lineage's Mark)
// or the window moves on (since, to the minute).
type qualityCache struct {
	mu      sync.Mutex
	entries map[string]qualityEntry
}

type qualityEntry struct {
	links []lineage.LinkStats
	recs  []lineage.Recommendation
}

// maxQualityEntries bounds the cache: a few windows are ever asked for.
const maxQualityEntries = 8

func (s *Server) qualityOf(ctx context.Context, since time.Time) ([]lineage.LinkStats, []lineage.Recommendation, error) {
	mark, err := s.o.DB.Mark(ctx)
	if err != nil {
		return nil, nil, err
	}
	key := mark + "@" + since.Truncate(time.Minute).Format(time.RFC3339)
	s.qcache.mu.Lock()
	e, ok := s.qcache.entries[key]
	s.qcache.mu.Unlock()
	if ok {
		return e.links, e.recs, nil
	}
	links, recs, err := s.o.DB.Quality(ctx, since)
	if err != nil {
		return nil, nil, err
	}
	s.qcache.mu.Lock()
	if s.qcache.entries == nil || len(s.qcache.entries) >= maxQualityEntries {
		s.qcache.entries = map[string]qualityEntry{}
	}
	s.qcache.entries[key] = qualityEntry{links, recs}
	s.qcache.mu.Unlock()
	return links, recs, nil
}
