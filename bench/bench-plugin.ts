import { z } from 'zod';
import { definePlugin } from '../src/kernel/plugins/plugin-definition.js';
import { benchWorkload } from './handler-probe.js';

/** The plugin the kernel side of a benchmark loads: the bench workload for one event type. */
export default definePlugin({
  name: 'bench-handler',
  options: z.strictObject({
    eventType: z.string().default('im.message.receive_v1'),
    delayMs: z.number().int().min(0).default(0),
  }),
  start(ctx) {
    ctx.on(ctx.options.eventType, () => benchWorkload(ctx.options.delayMs));
  },
});
