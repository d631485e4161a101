// The public API for plugin authors and embedders.
export {
  definePlugin,
  serviceToken,
  type CardActionHandler,
  type CardActionMatch,
  type DeliveryInfo,
  type EventHandler,
  type EventSubscriptionOptions,
  type PluginContext,
  type PluginDefinition,
  type ServiceToken,
} from './kernel/plugins/plugin-definition.js';
export type { CardAction, CardActionResponse, LarkEvent } from './kernel/dispatch/lark-event.js';
export { Kernel, type KernelInit, type KernelStatus } from './kernel/kernel.js';
export type { TransportStatus } from './kernel/transport/transport-manager.js';
export { startService, type RunningService } from './kernel/bootstrap.js';
export { loadConfigFile, parseConfigText } from './kernel/config/config-loader.js';
export { ErrorCodes, LarkServiceError, isLarkServiceError, type ErrorCode } from './kernel/errors.js';
export type { Lock } from './kernel/store/coordination.js';
// Plugins declare their options with the same zod the kernel validates them with.
export { z } from 'zod';
export type { HistogramSpec, MetricSpec, PluginMetrics } from './kernel/ops/metric-catalogue.js';
export type { ParkedEvent } from './kernel/delivery/dead-letter-store.js';
export type { DispatcherEvents } from './kernel/dispatch/dispatcher.js';
