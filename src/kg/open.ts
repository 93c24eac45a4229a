/**
 * Opens the graph a pipeline's `kg` section names: a snapshot file (embedded backend) or a
 * Neo4j server. Relative snapshot paths resolve against `baseDir` (the pipeline file's directory).
 */
import path from 'node:path';
import type { KgConfig } from '../../schemas/pipeline.js';
import type { GraphPort } from './port.js';
import { openSnapshot } from './snapshot.js';

export async function openGraph(config: KgConfig, baseDir = process.cwd()): Promise<GraphPort> {
  if ('snapshot' in config) return openSnapshot(path.resolve(baseDir, config.snapshot));
  // Imported here: neo4j-driver loads only for a pipeline whose graph is a Neo4j server.
  const { Neo4jGraph } = await import('./neo4j.js');
  return Neo4jGraph.connect({ uri: config.neo4j.uri, database: config.neo4j.database });
}
