// Package quota tracks each tenant's monthly count of successful deliveries and
// tells the dispatcher whether a delivery may go out now or must be held.
//
// @plan:PLAN-20260112-TENANTQUOTA.P01
// @requirement:REQ-001
package quota

import (
	"context"
	"errors"
	"time"
)

// ErrOverQuota is returned by Enforce when the tenant has used its monthly allowance.
var ErrOverQuota = errors.New("quota: tenant is over its monthly delivery quota")

// Store persists counters so that a restart does not reset anyone's usage.
//
// @plan PLAN-20260112-TENANTQUOTA.P01
// @requirement REQ-002
type Store interface {
	Load(ctx context.Context, tenant string, month string) (used int64, err error)
	Increment(ctx context.Context, tenant string, month string) (used int64, err error)
}

// Tracker combines the configured limits with the persisted counters.
type Tracker struct {
	Limits map[string]int64
	Store  Store
	Now    func() time.Time
}

func monthKey(t time.Time) string { return t.UTC().Format("2006-01") }

// Enforce reports whether a delivery for tenant may be sent. Over-quota deliveries
// are held by the dispatcher until the month rolls over, never dropped.
//
// @plan PLAN-20260112-TENANTQUOTA.P03
// @requirement REQ-003
func (t *Tracker) Enforce(ctx context.Context, tenant string) error {
	limit, ok := t.Limits[tenant]
	if !ok {
		return nil // tenants without a configured limit are unmetered
	}
	used, err := t.Store.Load(ctx, tenant, monthKey(t.Now()))
	if err != nil {
		return err
	}
	if used >= limit {
		return ErrOverQuota
	}
	return nil
}

// Record counts one successful delivery against the tenant's current month.
func (t *Tracker) Record(ctx context.Context, tenant string) error {
	_, err := t.Store.Increment(ctx, tenant, monthKey(t.Now()))
	return err
}
