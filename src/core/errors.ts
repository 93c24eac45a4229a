/**
 * Errors with a stable machine-readable code and a message that says what to do, as undici does.
 * Data problems are rejects, not errors; these are for config, services and usage.
 */
export type CmtErrorCode =
  | 'CMT_CONFIG_INVALID'
  | 'CMT_INPUT_NOT_FOUND'
  | 'CMT_REDIS_UNREACHABLE'
  | 'CMT_NEO4J_UNREACHABLE'
  | 'CMT_KG_INVALID'
  | 'CMT_OUTPUT_INVALID'
  | 'CMT_OUTPUT_LOCKED'
  | 'CMT_USAGE'
  | 'CMT_RUN_FAILED'
  | 'CMT_INTERRUPTED';

export class CmtError extends Error {
  readonly code: CmtErrorCode;
  readonly context: Record<string, unknown>;
  constructor(code: CmtErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CmtError';
    this.code = code;
    this.context = context;
  }
}

export function isCmtError(e: unknown): e is CmtError {
  return e instanceof CmtError;
}
