package lineage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/folio/folio"
)

// LinkStats is how one route link did: the calls a rule made to one model
// for elements of one type.
type LinkStats struct {
	Type  folio.ElementType `json:"type"`
	Rule  string            `json:"rule"` // calls.rule: "table#2"
	Model string            `json:"model"`
	Local bool              `json:"local"` // a free local specialist

	// Attempts counts the link's calls: Accepted + Rejected + Failed +
	// Refused. Dry-run estimates are not attempts.
	Attempts int `json:"attempts"`
	Accepted int `json:"accepted"` // status ok: the chain ended here
	Rejected int `json:"rejected"` // answered, and the answer failed a check
	Failed   int `json:"failed"`   // no usable answer (errors, timeouts, …)
	// Refused counts calls stopped before any request was sent (budget,
	// open breaker: error_classes.refused).
	Refused int `json:"refused"`
	// Escalated counts attempts a later attempt on the same fragment
	// followed: the chain went on past this link.
	Escalated int `json:"escalated"`
	CacheHits int `json:"cache_hits"`
	// AcceptanceRate is Accepted / Attempts, EscalationRate Escalated /
	// Attempts; 0 without attempts.
	AcceptanceRate float64 `json:"acceptance_rate"`
	EscalationRate float64 `json:"escalation_rate"`

	USDMicros int64 `json:"usd_micros"` // known prices
	// RejectedUSDMicros is the part of USDMicros that bought answers then
	// rejected.
	RejectedUSDMicros int64 `json:"rejected_usd_micros"`
	Unpriced          int   `json:"unpriced,omitempty"` // model calls with an unknown price
	// MeanLatencyUS is the mean latency of the calls that ran (refused ones
	// left out), in microseconds.
	MeanLatencyUS int64 `json:"mean_latency_us"`

	Review    ReviewOutcomes `json:"review"`
	Agreement Agreement      `json:"agreement"`
}

// ReviewOutcomes counts the elements a link made a call for that reached
// review: in review in their current recording, or decided on by a
// reviewer (a degraded element may be decided too). Each element counts
// once per link, by the latest decision on it (decisions of the same
// content and element id, the highest id).
type ReviewOutcomes struct {
	Elements  int `json:"elements"`
	Undecided int `json:"undecided"`
	// AcceptedLocal and AcceptedModel count accepts of a local
	// specialist's answer (the segmenter's content included) and of a
	// model's; AcceptedLink, the part of either that took this link's own
	// answer.
	AcceptedLocal int `json:"accepted_local"`
	AcceptedModel int `json:"accepted_model"`
	AcceptedLink  int `json:"accepted_link"`
	Corrected     int `json:"corrected"` // content given by hand
	Rejected      int `json:"rejected"`  // none of the answers was right
}

// Agreement compares a model link's answers with a local answer to the same
// element. The ledger keeps answers' texts only for elements left in review
// (table answers: routing keeps the content an element in review kept and
// every rejected answer that could be read), so that is what is measured:
// among those elements, the ones with both a local answer (a local
// specialist's or the segmenter's own content, the first such) and this
// link's answer. Texts are compared after folding case and runs of white
// space; a table compares its grid, not its text.
type Agreement struct {
	// Compared counts elements with both answers; Agreed, those whose two
	// answers are the same text.
	Compared int `json:"compared"`
	Agreed   int `json:"agreed"`
	// Decided counts the compared elements a reviewer decided on;
	// LocalRight and LinkRight, those whose content as decided (an
	// accepted answer or a correction; a reject matches nothing) is the
	// local answer and this link's answer.
	Decided    int `json:"decided"`
	LocalRight int `json:"local_right"`
	LinkRight  int `json:"link_right"`
}

// LinkQuality reports how each route link did over the calls recorded at or
// after since (the zero time: all of them) in current recordings
// (documents.superseded IS NULL, failed ones included: their calls were
// made), one row per element type, rule and model, sorted so. It only
// reads the ledger.
func (db *DB) LinkQuality(ctx context.Context, since time.Time) ([]LinkStats, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("link quality: %w", err)
	}
	defer tx.Rollback() // read only
	els, err := loadRouted(ctx, tx, since)
	if err != nil {
		return nil, fmt.Errorf("link quality: %w", err)
	}
	stats := linkStats(els)
	if err := addAgreement(ctx, tx, since, stats); err != nil {
		return nil, fmt.Errorf("link quality: %w", err)
	}
	return sortedLinks(stats), nil
}

// Quality returns LinkQuality and Recommendations over the same calls,
// reading them once: what a page that shows both asks for.
func (db *DB) Quality(ctx context.Context, since time.Time) ([]LinkStats, []Recommendation, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("quality: %w", err)
	}
	defer tx.Rollback() // read only
	els, err := db.routedWindow(ctx, tx, since)
	if err != nil {
		return nil, nil, fmt.Errorf("quality: %w", err)
	}
	stats := linkStats(els)
	// Recommendations are drawn before agreement is added, as
	// Recommendations draws them.
	recs := recommend(els, sortedLinks(stats))
	if err := addAgreement(ctx, tx, since, stats); err != nil {
		return nil, nil, fmt.Errorf("quality: %w", err)
	}
	return sortedLinks(stats), recs, nil
}

// linkKey identifies a route link.
type linkKey struct {
	typ         folio.ElementType
	rule, model string
}

// routed is an element of a current recording with the calls made for it
// and the latest decision on it.
type routed struct {
	rec        int64
	id         string
	typ        folio.ElementType
	confidence float64
	status     string
	reason     string
	// fellBackFrom is, for a degraded element, the model wanted.
	fellBackFrom string
	// action and answer are the latest decision's (empty when none);
	// answer names the model whose answer an accept took.
	action, answer string
	calls          []routedCall
}

// routedCall is one attempt made for an element.
type routedCall struct {
	rule, model, status string
	refused, escalated  bool
	cacheHit            bool
	usd                 sql.NullInt64
	latencyUS           int64
}

// billable reports whether c is a model call that went out (or came from
// the cache): not a local specialist, not refused before a request.
func (c routedCall) billable() bool { return !folio.IsLocal(c.model) && !c.refused }

// reachedReview reports whether the element went to a person: it is in
// review, or someone decided on it.
func (e *routed) reachedReview() bool { return e.status == folio.StatusReview || e.action != "" }

// loadRouted reads the elements of current recordings that have calls
// recorded at or after since, in recording and reading order, with their
// calls in attempt order.
//
// It reads one row per call and joins in Go what a correlated subquery per
// row would cost the most (measured on a ledger of 10,000 documents,
// BENCHMARKS.md): whether a later attempt followed, from the next row of
// the same fragment (a fragment's calls are written in one transaction
// with one time, so since never splits them), and the latest decision,
// from a map of the decisions.
func loadRouted(ctx context.Context, tx *sql.Tx, since time.Time) ([]routed, error) {
	decided, err := latestDecisions(ctx, tx)
	if err != nil {
		return nil, err
	}
	first, err := firstCall(ctx, tx, since)
	if err != nil {
		return nil, err
	}
	return loadRoutedRange(ctx, tx, since, callRange{lo: first}, decided)
}

// noCall is an id above every call's.
const noCall = 1 << 62

// firstCall is the id of the window's first call, noCall when it has
// none: reading from it, the window is one range of ids.
func firstCall(ctx context.Context, q querier, since time.Time) (int64, error) {
	var first int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(min(id), ?) FROM calls WHERE created >= ?`,
		int64(noCall), formatTime(since)).Scan(&first); err != nil {
		return 0, fmt.Errorf("read calls: %w", err)
	}
	return first, nil
}

// callRange bounds the ids of the calls read: from lo (the window's first
// call or later), below hi; a zero hi leaves the range open.
type callRange struct{ lo, hi int64 }

// loadRoutedRange is loadRouted over the calls of ids in r, which must not
// split a recording.
func loadRoutedRange(ctx context.Context, q querier, since time.Time, r callRange, decided map[decisionKey]decision) ([]routed, error) {
	hi := r.hi
	if hi == 0 {
		hi = noCall
	}
	// Estimated calls are read only to mark the attempt before them as
	// escalated, as a dry run's estimate is a later attempt.
	rows, err := q.QueryContext(ctx, `
		SELECT e.rec, e.id, e.type, e.confidence, COALESCE(e.status, ''), COALESCE(e.reason, ''),
			COALESCE(e.fell_back_from, ''), COALESCE(e.model, ''),
			c.fragment, c.rule, c.model, c.status,
			c.error_class IN (SELECT class FROM error_classes WHERE refused),
			c.cache_hit, c.usd_micros, c.latency_us
		FROM calls c
		JOIN documents d ON d.rec = c.rec
		JOIN fragments f ON f.rec = c.rec AND f.id = c.fragment
		JOIN elements e ON e.rec = f.rec AND e.id = f.element
		WHERE d.superseded IS NULL AND c.id >= ? AND c.id < ? AND c.created >= ?
		ORDER BY c.id`, r.lo, hi, formatTime(since))
	if err != nil {
		return nil, fmt.Errorf("read calls: %w", err)
	}
	defer rows.Close()
	var (
		out []routed
		// last is the previous call read, estimated or not, and its
		// place in out (call -1 for an estimate).
		lastRec          int64
		lastFragment     string
		lastEl, lastCall = -1, -1
		model, frag      string
		e                routed
		c                routedCall
	)
	for rows.Next() {
		if err := rows.Scan(&e.rec, &e.id, &e.typ, &e.confidence, &e.status, &e.reason, &e.fellBackFrom,
			&model, &frag, &c.rule, &c.model, &c.status, &c.refused,
			&c.cacheHit, &c.usd, &c.latencyUS); err != nil {
			return nil, fmt.Errorf("read calls: %w", err)
		}
		if e.rec == lastRec && frag == lastFragment && lastCall >= 0 {
			out[lastEl].calls[lastCall].escalated = true
		}
		lastRec, lastFragment, lastCall = e.rec, frag, -1
		if c.status == folio.CallEstimated {
			continue
		}
		if n := len(out); n > 0 && out[n-1].rec == e.rec && out[n-1].id == e.id {
			out[n-1].calls = append(out[n-1].calls, c)
			lastEl, lastCall = n-1, len(out[n-1].calls)-1
			continue
		}
		el := e
		el.action, el.answer = "", ""
		if x, ok := decided[decisionKey{e.rec, e.id}]; ok {
			el.action, el.answer = x.action, cmp.Or(x.answer, model)
		}
		el.calls = []routedCall{c}
		out = append(out, el)
		lastEl, lastCall = len(out)-1, 0
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read calls: %w", err)
	}
	return out, nil
}

// decisionKey names an element of a current recording: a decision holds
// for every recording of its content.
type decisionKey struct {
	rec     int64
	element string
}

// decision is the action of a decision and the model whose answer it took.
type decision struct{ action, answer string }

// latestDecisions reads the latest decision (the highest id) on each
// element of the current recordings of the content decided on. Decisions
// are made by hand, so there are few of them next to calls.
func latestDecisions(ctx context.Context, tx querier) (map[decisionKey]decision, error) {
	// SQLite takes the bare columns of an aggregate query with max() from
	// the row holding the maximum.
	rows, err := tx.QueryContext(ctx, `
		SELECT d.rec, x.element, x.action, COALESCE(x.answer, '')
		FROM decisions x JOIN documents d ON d.sha256 = x.sha256 AND d.superseded IS NULL
		WHERE x.id IN (SELECT max(id) FROM decisions GROUP BY sha256, element)`)
	if err != nil {
		return nil, fmt.Errorf("read decisions: %w", err)
	}
	defer rows.Close()
	out := map[decisionKey]decision{}
	for rows.Next() {
		var k decisionKey
		var x decision
		if err := rows.Scan(&k.rec, &k.element, &x.action, &x.answer); err != nil {
			return nil, fmt.Errorf("read decisions: %w", err)
		}
		out[k] = x
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read decisions: %w", err)
	}
	return out, nil
}

// linkStats sums the calls of els per link, and the review outcomes of the
// elements each link made a call for.
func linkStats(els []routed) map[linkKey]*LinkStats {
	stats := map[linkKey]*LinkStats{}
	latency := map[linkKey]int64{}
	for i := range els {
		e := &els[i]
		seen := map[linkKey]bool{}
		for _, c := range e.calls {
			k := linkKey{e.typ, c.rule, c.model}
			s := stats[k]
			if s == nil {
				s = &LinkStats{Type: e.typ, Rule: c.rule, Model: c.model, Local: folio.IsLocal(c.model)}
				stats[k] = s
			}
			s.Attempts++
			switch {
			case c.refused:
				s.Refused++
			case c.status == folio.CallOK:
				s.Accepted++
			case c.status == folio.CallRejected:
				s.Rejected++
			default:
				s.Failed++
			}
			if !c.refused {
				latency[k] += c.latencyUS
			}
			if c.escalated {
				s.Escalated++
			}
			if c.cacheHit {
				s.CacheHits++
			}
			if c.usd.Valid {
				s.USDMicros += c.usd.Int64
				if c.status == folio.CallRejected {
					s.RejectedUSDMicros += c.usd.Int64
				}
			} else if c.billable() {
				s.Unpriced++
			}
			if e.reachedReview() && !seen[k] {
				seen[k] = true
				s.Review.count(e, c.model)
			}
		}
	}
	for k, s := range stats {
		s.AcceptanceRate = rate(s.Accepted, s.Attempts)
		s.EscalationRate = rate(s.Escalated, s.Attempts)
		if ran := int64(s.Attempts - s.Refused); ran > 0 {
			s.MeanLatencyUS = latency[k] / ran
		}
	}
	return stats
}

// count adds e, an element that reached review, to the outcomes of the link
// to model.
func (r *ReviewOutcomes) count(e *routed, model string) {
	r.Elements++
	switch e.action {
	case "":
		r.Undecided++
	case folio.ActionAccept:
		if folio.IsLocal(e.answer) {
			r.AcceptedLocal++
		} else {
			r.AcceptedModel++
		}
		if e.answer == model {
			r.AcceptedLink++
		}
	case folio.ActionCorrect:
		r.Corrected++
	case folio.ActionReject:
		r.Rejected++
	}
}

// addAgreement compares, for elements of current recordings recorded at or
// after since that kept answers, each model answer with the element's
// local one (see Agreement), into the stats of the link that gave it.
func addAgreement(ctx context.Context, tx *sql.Tx, since time.Time, stats map[linkKey]*LinkStats) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT a.rec, a.element, e.type, a.model, a.text, a.table_json,
			COALESCE(x.action, ''), COALESCE(x.answer, ''), COALESCE(x.text, ''), x.table_json,
			COALESCE((SELECT c.rule FROM calls c JOIN fragments f ON f.rec = c.rec AND f.id = c.fragment
				WHERE f.rec = a.rec AND f.element = a.element AND c.model = a.model
				ORDER BY c.attempt LIMIT 1), '')
		FROM answers a
		JOIN documents d ON d.rec = a.rec
		JOIN elements e ON e.rec = a.rec AND e.id = a.element
		LEFT JOIN decisions x ON x.id = (SELECT max(id) FROM decisions WHERE sha256 = d.sha256 AND element = a.element)
		WHERE d.superseded IS NULL AND d.finished_at >= ?
		ORDER BY a.rec, a.element, a.n`, formatTime(since))
	if err != nil {
		return fmt.Errorf("read answers: %w", err)
	}
	defer rows.Close()
	type answer struct{ rule, model, content string }
	var (
		rec            int64
		element        string
		typ            folio.ElementType
		action, picked string
		decided        string // the content as decided
		answers        []answer
	)
	// Agreement is per element: gather its answers, then compare.
	settle := func() {
		local := slices.IndexFunc(answers, func(a answer) bool { return folio.IsLocal(a.model) })
		if local < 0 {
			return
		}
		final, hasFinal := decided, action == folio.ActionCorrect || action == folio.ActionAccept && decided != ""
		if action == folio.ActionAccept && decided == "" {
			// An accept naming no model took the content the element kept,
			// answer 0.
			i := 0
			if picked != "" {
				i = slices.IndexFunc(answers, func(a answer) bool { return a.model == picked })
			}
			if i >= 0 {
				final, hasFinal = answers[i].content, true
			}
		}
		for _, a := range answers {
			s := stats[linkKey{typ, a.rule, a.model}]
			if folio.IsLocal(a.model) || s == nil {
				continue
			}
			g := &s.Agreement
			g.Compared++
			if a.content == answers[local].content {
				g.Agreed++
			}
			if action == "" {
				continue
			}
			g.Decided++
			if hasFinal && answers[local].content == final {
				g.LocalRight++
			}
			if hasFinal && a.content == final {
				g.LinkRight++
			}
		}
	}
	for rows.Next() {
		var (
			r                      int64
			el                     string
			t                      folio.ElementType
			a                      answer
			text                   string
			grid, dGrid            sql.NullString
			dAction, dAnswer, dTxt string
		)
		if err := rows.Scan(&r, &el, &t, &a.model, &text, &grid, &dAction, &dAnswer, &dTxt, &dGrid, &a.rule); err != nil {
			return fmt.Errorf("read answers: %w", err)
		}
		if r != rec || el != element {
			settle()
			rec, element, typ, answers = r, el, t, nil
			action, picked, decided = dAction, dAnswer, content(dTxt, dGrid)
		}
		a.content = content(text, grid)
		answers = append(answers, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read answers: %w", err)
	}
	settle()
	return nil
}

// content is an answer's or a decision's content as compared: a table's
// grid when it has one, else its text, folded (see same).
func content(text string, grid sql.NullString) string {
	if grid.Valid {
		var t folio.Table
		if err := json.Unmarshal([]byte(grid.String), &t); err == nil && len(t.Rows) > 0 {
			text = t.Text()
		}
	}
	return fold(text)
}

// fold lower-cases s and turns every run of white space into one space, so
// that answers differing only in line breaks and capitals compare equal.
func fold(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// rate is n/of, 0 when of is 0.
func rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// sortedLinks returns the stats by element type, rule and model.
func sortedLinks(stats map[linkKey]*LinkStats) []LinkStats {
	out := make([]LinkStats, 0, len(stats))
	for _, s := range stats {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b LinkStats) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Model, b.Model))
	})
	return out
}
