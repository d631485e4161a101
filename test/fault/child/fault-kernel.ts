/**
 * One kernel of the fault suite, as its own process: takes its configuration (JSON) from
 * FAULT_KERNEL_CONFIG, tells the parent 'ready' once the long connection is open, stops on
 * SIGTERM. The suite kills it with SIGKILL to play a crash.
 */
import { parseConfigText } from '../../../src/kernel/config/config-loader.js';
import { startService } from '../../../src/kernel/bootstrap.js';

const text = process.env.FAULT_KERNEL_CONFIG;
if (!text) throw new Error('FAULT_KERNEL_CONFIG is not set');
const loaded = parseConfigText(text, process.env, `${process.cwd()}/fault-kernel.yaml`);
const service = await startService(loaded);
await service.kernel.connection.ready();
process.send?.({ ready: process.pid });

process.on('SIGTERM', () => {
  void service.stop().finally(() => process.exit(0));
});
