/** Names of the core services in the root container. */
export const CoreTokens = {
  Config: Symbol.for('lark-service:config'),
  Logger: Symbol.for('lark-service:logger'),
  Clock: Symbol.for('lark-service:clock'),
  Storage: Symbol.for('lark-service:storage'),
  Coordination: Symbol.for('lark-service:coordination'),
  LarkClient: Symbol.for('lark-service:lark-client'),
  Dispatcher: Symbol.for('lark-service:dispatcher'),
  HandlerRegistry: Symbol.for('lark-service:handler-registry'),
  /** The kernel's KernelMetrics (its prom-client registry is `.registry`). */
  Metrics: Symbol.for('lark-service:metrics'),
} as const;
