import { Neo4jGraph } from '../../src/kg/neo4j.js';
import { ensureNeo4j } from '../support/services.js';
import { describeGraphContract } from './contract.js';

describeGraphContract('Neo4j', async (imported) => {
  const graph = await Neo4jGraph.connect({ uri: ensureNeo4j() });
  await graph.importGraph(imported);
  return graph;
});
