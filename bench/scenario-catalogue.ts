import { readdir } from 'node:fs/promises';
import type { Scenario } from './scenario.js';

const scenariosDir = new URL('./scenarios/', import.meta.url);

/** Every scenario file in bench/scenarios/, in table order: adding a scenario is adding a file. */
export async function loadScenarios(): Promise<Scenario[]> {
  const files = (await readdir(scenariosDir)).filter((file) => file.endsWith('.js'));
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, scenariosDir).href)) as { default?: unknown };
    const scenario = module.default as Partial<Scenario> | undefined;
    if (!scenario || typeof scenario.name !== 'string' || typeof scenario.run !== 'function') {
      throw new Error(`bench/scenarios/${file} does not export a default Scenario`);
    }
    scenarios.push(scenario as Scenario);
  }
  return scenarios.sort((a, b) => a.order - b.order);
}

/** The scenarios named (all when none is), or an error naming the known ones. */
export function selectScenarios(all: Scenario[], names: readonly string[]): Scenario[] {
  if (names.length === 0) return all;
  const unknown = names.filter((name) => !all.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    const known = all.map((scenario) => scenario.name).join(', ');
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${known}`);
  }
  return all.filter((scenario) => names.includes(scenario.name));
}
