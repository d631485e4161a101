import type { PluginMetrics } from '../../src/kernel/ops/metric-catalogue.js';
import type { AuthorizationSessionService } from './authorization-session.js';
import { SESSION_STATES, isOpen } from './session-states.js';

/** How often the open-session gauge re-reads the shared store. */
const OPEN_COUNT_REFRESH_MS = 15_000;

/**
 * Authorization sessions on /metrics. Every transition is counted once, by the instance that
 * made it (sum over instances for the fleet): the success rate is
 * `completed / (completed + declined + expired + failed)`. The open sessions are read from the
 * shared store, so each instance reports the same fleet-wide numbers. Returns a stop function.
 */
export function recordSessionMetrics(
  metrics: PluginMetrics,
  sessions: AuthorizationSessionService,
): () => void {
  const transitions = metrics.counter({
    name: 'lark_service_auth_sessions_total',
    help: 'Authorization sessions that entered each state, counted by the instance that moved them',
    labelNames: ['state'],
  });
  const open = metrics.gauge({
    name: 'lark_service_auth_sessions_open',
    help: 'Authorization sessions open right now in the shared store, by state',
    labelNames: ['state'],
  });
  const unsubscribe = sessions.onTransition((session) => transitions.inc({ state: session.state }));

  const refreshOpen = async () => {
    for (const state of SESSION_STATES.filter(isOpen)) {
      open.set({ state }, (await sessions.idsByState(state)).length);
    }
  };
  void refreshOpen().catch(() => undefined);
  const timer = setInterval(() => void refreshOpen().catch(() => undefined), OPEN_COUNT_REFRESH_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
