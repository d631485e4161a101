import { LarkServiceError } from '../errors.js';
import type { PluginDefinition } from './plugin-definition.js';

export interface GraphNode {
  id: string;
  entryPath: string;
  definition: PluginDefinition<unknown>;
}

/**
 * Orders plugins so that every provider starts before the plugins that require it, keeping
 * configuration order where the dependencies leave a choice. Stops start-up, naming the whole
 * path, on a missing provider, a duplicate provider or a cycle.
 */
export function orderPlugins<T extends GraphNode>(nodes: readonly T[]): T[] {
  const providers = mapProviders(nodes);
  const dependencies = new Map(nodes.map((n) => [n.id, dependenciesOf(n, providers)]));
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(nodes.map((n) => [n.id, n]));

  const visit = (node: T, trail: string[]): void => {
    if (state.get(node.id) === 'done') return;
    if (state.get(node.id) === 'visiting') throw cycleError([...trail, node.id], trail, node.id);
    state.set(node.id, 'visiting');
    for (const dependency of dependencies.get(node.id)!) visit(byId.get(dependency)!, [...trail, node.id]);
    state.set(node.id, 'done');
    ordered.push(node);
  };
  for (const node of nodes) visit(node, []);
  return ordered;
}

function mapProviders(nodes: readonly GraphNode[]): Map<string, GraphNode> {
  const providers = new Map<string, GraphNode>();
  for (const node of nodes) {
    for (const token of node.definition.provides ?? []) {
      const existing = providers.get(token.name);
      if (existing) {
        throw new LarkServiceError(
          'LARK_E_PLUGIN_DUPLICATE_ID',
          `${node.entryPath} (${node.id}) provides service "${token.name}", which ` +
            `${existing.entryPath} (${existing.id}) already provides; disable one of them`,
        );
      }
      providers.set(token.name, node);
    }
  }
  return providers;
}

function dependenciesOf(node: GraphNode, providers: Map<string, GraphNode>): string[] {
  return (node.definition.requires ?? []).map((token) => {
    const provider = providers.get(token.name);
    if (!provider) {
      throw new LarkServiceError(
        'LARK_E_PLUGIN_MISSING_PROVIDER',
        `${node.entryPath} (${node.id}) requires service "${token.name}", but no enabled plugin ` +
          'provides it; add and enable the plugin that provides it',
        { details: { plugin: node.id, service: token.name } },
      );
    }
    return provider.id;
  });
}

function cycleError(path: string[], trail: string[], repeated: string): LarkServiceError {
  const start = trail.indexOf(repeated);
  const cycle = path.slice(start).join(' -> ');
  return new LarkServiceError(
    'LARK_E_PLUGIN_CYCLE',
    `plugins require each other in a cycle: ${cycle}; remove one of these requirements`,
    { details: { cycle: path.slice(start) } },
  );
}
