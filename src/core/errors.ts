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

/**
 * A Node system error (an errno `code` and the `syscall` that failed), else undefined. Duck-typed:
 * a Node error from another realm (a vm context, as under jest) is no `instanceof Error` here.
 */
export function systemError(e: unknown): NodeJS.ErrnoException | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const sys = e as NodeJS.ErrnoException;
  return typeof sys.code === 'string' && typeof sys.syscall === 'string' ? sys : undefined;
}

/**
 * Why a write failed, by its errno, for the message that says what to do: no room (a full disk, a
 * quota), no permission (or a read-only filesystem), a path part that is a file where a folder
 * must be (or the other way round), or something else.
 */
export function writeFailureKind(code: string | undefined): 'space' | 'permission' | 'path' | 'other' {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'space';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission';
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') return 'path';
  return 'other';
}
