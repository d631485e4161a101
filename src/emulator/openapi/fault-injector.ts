import type { InjectedErrorRule } from '../types.js';

interface ArmedRule extends InjectedErrorRule {
  remaining: number;
}

/** Scripted OpenAPI failures: the next matching call(s) get the given status and body. */
export class FaultInjector {
  private readonly rules: ArmedRule[] = [];

  add(rule: InjectedErrorRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  take(method: string, path: string):
    { status: number; body: object; headers?: Record<string, string>; reset?: boolean }
    | undefined {
    const index = this.rules.findIndex((rule) => matches(rule, method, path));
    const rule = this.rules[index];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return { status: rule.status, body: rule.body, headers: rule.headers, reset: rule.reset };
  }
}

function matches(rule: InjectedErrorRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
}
