import { parseArgs } from 'node:util';
import type { LoadedConfig } from '../config/config-loader.js';
import { startEmbeddedEmulator } from '../embedded-emulator.js';
import type { LarkAppSettings } from '../lark-client.js';
import { createLogger } from '../logger.js';
import { checkConfiguration, checkPlugins, checkStore } from './doctor-local.js';
import {
  checkCredentials,
  checkDiscovery,
  checkLiveConnections,
  platformBaseUrl,
  type PlatformSession,
} from './doctor-platform.js';
import { formatReport, type CheckResult } from './doctor-report.js';

export interface Diagnosis {
  results: CheckResult[];
  /** Strings the report must never contain. */
  secrets: string[];
}

/**
 * `lark-service doctor --config <file>`: checks what the kernel needs, one line each with
 * what to fix. Exit code 0 when no check failed (a check that could not be made is not a
 * failure), 1 otherwise, 2 on a usage error.
 */
export async function doctor(
  args: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  if (!values.config) {
    process.stderr.write('doctor needs --config <file>\n');
    return 2;
  }
  const { results, secrets } = await diagnose(values.config);
  out.write(formatReport(`lark-service doctor: ${values.config}`, results, secrets));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

export async function diagnose(file: string): Promise<Diagnosis> {
  const [configuration, loaded] = await checkConfiguration(file);
  if (!loaded) return { results: [configuration], secrets: [] };
  const secrets = loaded.config.app.appSecret ? [loaded.config.app.appSecret] : [];
  const results = [configuration, ...(await checkPlatform(loaded))];
  results.push(await checkStore(loaded));
  results.push(...(await checkPlugins(loaded)));
  return { results, secrets };
}

/** Against the configured platform, or the embedded emulator when the file enables it. */
async function checkPlatform(loaded: LoadedConfig): Promise<CheckResult[]> {
  const { config } = loaded;
  const embedded = config.emulator.enabled
    ? await startEmbeddedEmulator(config, createLogger({ level: 'silent' }))
    : undefined;
  const app: LarkAppSettings = embedded?.app ?? {
    appId: config.app.appId!,
    appSecret: config.app.appSecret!,
    domain: config.app.domain,
  };
  const session: PlatformSession = { app, baseUrl: platformBaseUrl(app.domain) };
  try {
    return [
      await checkCredentials(session),
      await checkDiscovery(session),
      await checkLiveConnections(session),
    ];
  } finally {
    await embedded?.stop();
  }
}
