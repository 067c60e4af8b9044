import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IngressRejected } from '../errors';
import { checkDeclaredLength, readBoundedBody } from '../payloadLimits';

const CAP = 1024 * 1024;

function streamOf(totalBytes: number, chunkBytes = 64 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) return this.push(null);
      const n = Math.min(chunkBytes, totalBytes - sent);
      sent += n;
      this.push(Buffer.alloc(n, 0x61));
    },
  });
}

describe('@plan:PLAN-20251104-INGRESS-HARDENING.P03 payload limits', () => {
  it('rejects oversize payloads @requirement:REQ-ING-003', async () => {
    await expect(readBoundedBody(streamOf(CAP + 1), CAP)).rejects.toBeInstanceOf(IngressRejected);
  });

  it('accepts a body exactly at the cap @requirement:REQ-ING-003', async () => {
    const body = await readBoundedBody(streamOf(CAP), CAP);
    expect(body.length).toBe(CAP);
  });

  it('counts bytes, not characters @requirement:REQ-ING-003', async () => {
    const snowmen = Readable.from(['\u2603'.repeat(400)]); // 3 bytes each in UTF-8
    await expect(readBoundedBody(snowmen, 1000)).rejects.toMatchObject({ reason: 'payload_too_large' });
  });

  it('stops reading once the cap is exceeded', async () => {
    const stream = streamOf(50 * CAP);
    await expect(readBoundedBody(stream, CAP)).rejects.toBeInstanceOf(IngressRejected);
    expect(stream.destroyed).toBe(true);
  });
});

describe('@plan:PLAN-20251104-INGRESS-HARDENING.P03 @requirement:REQ-ING-003 declared length', () => {
  it('rejects a declared length over the cap', () => {
    expect(() => checkDeclaredLength(String(CAP + 1), CAP)).toThrow(IngressRejected);
  });

  it('ignores a missing content-length', () => {
    expect(() => checkDeclaredLength(undefined, CAP)).not.toThrow();
  });
});
