import type { ServerResponse } from 'node:http';

export interface QuotaSnapshot {
  tenant: string;
  limit: number;
  used: number;
  resetsAt: Date;
}

/**
 * Adds the tenant's monthly delivery quota to every 202 response, so that providers'
 * dashboards (and our own support staff) can see how close a tenant is to the limit.
 * The numbers come from the quota service; this module only formats them.
 *
 * @requirement:REQ-001
 */
export function setQuotaHeaders(res: ServerResponse, quota: QuotaSnapshot | undefined): void {
  if (quota === undefined) return;
  const remaining = Math.max(0, quota.limit - quota.used);
  res.setHeader('X-Hookpost-Quota-Limit', String(quota.limit));
  res.setHeader('X-Hookpost-Quota-Remaining', String(remaining));
  res.setHeader('X-Hookpost-Quota-Reset', quota.resetsAt.toISOString());
}

export function parseQuotaSnapshot(json: unknown): QuotaSnapshot | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.tenant !== 'string' || typeof o.limit !== 'number' || typeof o.used !== 'number') {
    return undefined;
  }
  const resetsAt = new Date(String(o.resets_at));
  if (Number.isNaN(resetsAt.getTime())) return undefined;
  return { tenant: o.tenant, limit: o.limit, used: o.used, resetsAt };
}
