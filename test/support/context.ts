/** A StageContext for unit tests: the default pipeline config plus overrides, silent logger. */
import type { Origin, RawDialogue } from '../../schemas/dialogue.js';
import { silentLogger } from '../../src/core/logger.js';
import { parsePipeline } from '../../src/pipeline/config.js';
import type { StageContext } from '../../src/stages/types.js';

export function testContext(overrides: Record<string, unknown> = {}): StageContext {
  const config = parsePipeline({ name: 'test', sources: [{ format: 'hetmc', path: 'x.dialog' }], ...overrides });
  return { config, logger: silentLogger };
}

export function origin(sourceId = '1', extra: Partial<Origin> = {}): Origin {
  return { format: 'hetmc', file: 'fixtures/x.dialog', sourceId, position: 1, ...extra };
}

export function raw(turns: Array<[string, string]>, extra: Partial<RawDialogue> = {}): RawDialogue {
  return { id: `d-${turns.length}-${turns[0]?.[1] ?? ''}`, origin: origin(), turns: turns.map(([speaker, text]) => ({ speaker, text })), ...extra };
}
