package route

import (
	"context"
	"errors"

	"github.com/folio/folio"
)

// errDryRun is the error of every estimated call.
var errDryRun = &Error{Class: folio.ClassDryRun, Err: errors.New("estimated, not sent")}

// dryRun estimates calls instead of making them (--dry-run).
type dryRun struct {
	layer
	endpoint string
}

// Run never runs the wrapped specialist: it returns the call's estimate as
// its usage and price, with an error of class folio.ClassDryRun. The router
// records such a call with status CallEstimated and ends the element's
// chain there (see Router).
func (d *dryRun) Run(_ context.Context, t Task) (Result, error) {
	est := estimate(d.next, t)
	return Result{Usage: est.Usage, USDMicros: est.USDMicros, Endpoint: d.endpoint}, errDryRun
}
