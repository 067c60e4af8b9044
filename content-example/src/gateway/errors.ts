/**
 * Rejections raised by the ingress checks. The handler in server.ts turns them into
 * HTTP responses; the message is what ends up in the gateway log.
 */

export type RejectReason =
  | 'signature_missing'
  | 'signature_malformed'
  | 'signature_expired'
  | 'signature_mismatch'
  | 'payload_too_large'
  | 'unknown_source';

// Tags appended to log lines so that an on-call engineer can find the plan that
// introduced a rejection. These are plain strings, not markers.
const PLAN_TAG = '@plan:PLAN-20251104-INGRESS-HARDENING.P04';
const REQUIREMENT_TAGS: Record<string, string> = {
  signature: '@requirement:REQ-ING-001',
  size: '@requirement:REQ-ING-003',
};

const STATUS: Record<RejectReason, number> = {
  signature_missing: 401,
  signature_malformed: 401,
  signature_expired: 401,
  signature_mismatch: 401,
  payload_too_large: 413,
  unknown_source: 404,
};

export class IngressRejected extends Error {
  readonly status: number;

  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    const area = reason.startsWith('signature') ? 'signature' : reason === 'payload_too_large' ? 'size' : '';
    const tags = [PLAN_TAG, REQUIREMENT_TAGS[area]].filter(Boolean).join(' ');
    super(`${reason}: ${detail} (${tags})`);
    this.name = 'IngressRejected';
    this.status = STATUS[reason];
  }
}

export function isIngressRejected(err: unknown): err is IngressRejected {
  return err instanceof IngressRejected;
}
