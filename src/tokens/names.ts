/**
 * Tokenizer names and aliases accepted in `tokens.tokenizers` (no vocabulary is loaded here, so
 * config checks and the finaliser can name tokenizers cheaply; registry.ts loads them).
 */
import { CmtError } from '../core/errors.js';

const ALIASES: Record<string, string> = {
  llama: 'llama2', llama1: 'llama2', llama2: 'llama2',
  qwen: 'qwen3', qwen2: 'qwen3', 'qwen2.5': 'qwen3', qwen3: 'qwen3',
  cl100k: 'cl100k_base', cl100k_base: 'cl100k_base', 'gpt-4': 'cl100k_base',
  o200k: 'o200k_base', o200k_base: 'o200k_base', 'gpt-4o': 'o200k_base',
};

export const TOKENIZER_NAMES = ['llama2', 'qwen3', 'cl100k_base', 'o200k_base'] as const;

/** The canonical name (used in annotations and manifests) of a tokenizer name or alias. */
export function canonicalTokenizer(name: string): string {
  const c = ALIASES[name.toLowerCase()];
  if (!c) {
    throw new CmtError('CMT_CONFIG_INVALID', `unknown tokenizer "${name}" in tokens.tokenizers; use one of ${TOKENIZER_NAMES.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`, { tokenizer: name });
  }
  return c;
}
