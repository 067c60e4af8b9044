import { readFileSync } from 'node:fs';

export interface SourceConfig {
  /** Path segment after /hooks/, e.g. "github". */
  name: string;
  /** Current HMAC secret; rotated by ops, never logged. */
  secret: string;
  /** Header that carries the provider's delivery ID, if the provider sends one. */
  deliveryIdHeader?: string;
}

export interface GatewayConfig {
  port: number;
  maxBodyBytes: number;
  signatureToleranceSec: number;
  dedupeWindowMs: number;
  sources: Map<string, SourceConfig>;
}

const DEFAULTS = {
  port: 8080,
  maxBodyBytes: 1024 * 1024,
  signatureToleranceSec: 300,
  dedupeWindowMs: 10 * 60 * 1000,
};

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export function loadConfig(path = process.env.HOOKPOST_SOURCES ?? 'sources.json'): GatewayConfig {
  const list = JSON.parse(readFileSync(path, 'utf8')) as SourceConfig[];
  const sources = new Map<string, SourceConfig>();
  for (const source of list) {
    if (sources.has(source.name)) {
      throw new Error(`duplicate source "${source.name}" in ${path}`);
    }
    sources.set(source.name, source);
  }
  return {
    port: intFromEnv('PORT', DEFAULTS.port),
    maxBodyBytes: intFromEnv('HOOKPOST_MAX_BODY_BYTES', DEFAULTS.maxBodyBytes),
    signatureToleranceSec: intFromEnv('HOOKPOST_SIG_TOLERANCE', DEFAULTS.signatureToleranceSec),
    dedupeWindowMs: intFromEnv('HOOKPOST_DEDUPE_WINDOW_MS', DEFAULTS.dedupeWindowMs),
    sources,
  };
}
