package quota

import (
	"context"
	"errors"
	"testing"
	"time"
)

type memStore map[string]int64

func (m memStore) Load(_ context.Context, tenant, month string) (int64, error) {
	return m[tenant+"/"+month], nil
}

func (m memStore) Increment(_ context.Context, tenant, month string) (int64, error) {
	m[tenant+"/"+month]++
	return m[tenant+"/"+month], nil
}

func fixedNow() time.Time { return time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC) }

// @plan:PLAN-20260112-TENANTQUOTA.P02
// @requirement:REQ-001, REQ-002
func TestCountsSurviveANewTracker(t *testing.T) {
	store := memStore{}
	first := &Tracker{Limits: map[string]int64{"acme": 3}, Store: store, Now: fixedNow}
	for i := 0; i < 2; i++ {
		if err := first.Record(context.Background(), "acme"); err != nil {
			t.Fatal(err)
		}
	}
	second := &Tracker{Limits: map[string]int64{"acme": 3}, Store: store, Now: fixedNow}
	if used, _ := store.Load(context.Background(), "acme", "2026-01"); used != 2 {
		t.Fatalf("used = %d, want 2", used)
	}
	if err := second.Enforce(context.Background(), "acme"); err != nil {
		t.Fatalf("third delivery should be allowed: %v", err)
	}
}

// @plan:PLAN-20260112-TENANTQUOTA.P04
// @requirement:REQ-003
func TestHoldsOnceQuotaIsSpent(t *testing.T) {
	store := memStore{"acme/2026-01": 3}
	tr := &Tracker{Limits: map[string]int64{"acme": 3}, Store: store, Now: fixedNow}
	if err := tr.Enforce(context.Background(), "acme"); !errors.Is(err, ErrOverQuota) {
		t.Fatalf("err = %v, want ErrOverQuota", err)
	}
	nextMonth := func() time.Time { return fixedNow().AddDate(0, 1, 0) }
	tr.Now = nextMonth
	if err := tr.Enforce(context.Background(), "acme"); err != nil {
		t.Fatalf("new month should reset the allowance: %v", err)
	}
}
