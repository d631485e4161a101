import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { Emulator } from '../src/emulator/index.js';
import { authorizeAsUsers } from './card-user.js';
import type {
  EmulatorCommand, EmulatorReply, EmulatorStartRequest, PushBatch, PushReport,
} from './emulator-protocol.js';
import { wallClockMs } from './wall-clock.js';

const BENCH_USER = 'ou_0bench0000000000000000000000001';
const CONNECTION_WAIT_MS = 30_000;
const TOKEN_PATH = '/open-apis/authen/v2/oauth/token';

/**
 * Hosts the platform emulator on its own thread, so the platform side of a benchmark (frame
 * encoding, ACK decoding, bookkeeping) does not share the event loop of the client measured.
 */
let emulator: Emulator | undefined;

parentPort!.on('message', (command: EmulatorCommand) => {
  execute(command).then(
    (value) => reply({ id: command.id, ok: true, value }),
    (err: unknown) =>
      reply({ id: command.id, ok: false, error: String((err as Error)?.stack ?? err) }),
  );
});

function reply(message: EmulatorReply): void {
  parentPort!.postMessage(message);
}

async function execute(command: EmulatorCommand): Promise<unknown> {
  switch (command.op) {
    case 'start':
      return start(command.request);
    case 'waitForConnections':
      return running().waitForConnections(command.count, { timeoutMs: CONNECTION_WAIT_MS });
    case 'push':
      return pushBatch(running(), command.batch);
    case 'authorize':
      return authorizeAsUsers(running(), command.batch);
    case 'issueTokens':
      return command.openIds.map((openId) => {
        const issue = running().oauth.issueTokens(command.appId, openId, command.scopes);
        return { openId, accessToken: issue.access_token, refreshToken: issue.refresh_token!,
          refreshTokenExpiresInSeconds: issue.refresh_token_expires_in! };
      });
    case 'countRequests':
      return running().requests({ path: TOKEN_PATH }).filter((request) =>
        (request.body as Record<string, unknown>)['grant_type'] === command.grantType).length;
    case 'stop':
      await emulator?.stop();
      emulator = undefined;
      return undefined;
  }
}

async function start(request: EmulatorStartRequest): Promise<string> {
  await emulator?.stop();
  emulator = await Emulator.start({
    apps: [{ appId: request.appId, appSecret: request.appSecret }],
    ackTimeoutMs: request.ackTimeoutMs,
    repush: { enabled: false, delaysMs: [] },
    ...(request.bot && { bot: request.bot }),
    ...(request.deviceIntervalSeconds !== undefined
      && { oauth: { deviceIntervalSeconds: request.deviceIntervalSeconds } }),
  });
  return emulator.baseUrl;
}

function running(): Emulator {
  if (!emulator) throw new Error('emulator not started');
  return emulator;
}

/** Payloads are built before the clock starts; pushes keep `window` ACKs outstanding. */
async function pushBatch(emu: Emulator, batch: PushBatch): Promise<PushReport> {
  const payloads = Array.from({ length: batch.count }, (_, n) => emu.buildMessageEvent({
    chatId: 'oc_bench_chat', chatType: 'p2p', senderOpenId: BENCH_USER, text: 'bench',
    eventId: `${batch.idPrefix}_${n}`, messageId: `om_${batch.idPrefix}_${n}`,
  }));
  const ackLatenciesMs = new Array<number>(batch.count).fill(0);
  let next = 0;
  let settled = 0;
  let failed = 0;
  let lastAckAt = 0;
  const busyBefore = performance.eventLoopUtilization();
  const firstSentAt = wallClockMs();
  await new Promise<void>((resolve, reject) => {
    const launch = (): void => {
      const n = next++;
      const sentAt = wallClockMs();
      emu.pushEvent(payloads[n]!).then((ack) => {
        lastAckAt = wallClockMs();
        ackLatenciesMs[n] = lastAckAt - sentAt;
        if (ack.timedOut || ack.code !== 200) failed++;
        if (++settled === batch.count) resolve();
        else if (next < batch.count) launch();
      }, reject);
    };
    const initial = Math.min(batch.window, batch.count);
    for (let started = 0; started < initial; started++) launch();
  });
  const emulatorUtilization = performance.eventLoopUtilization(busyBefore).utilization;
  return { firstSentAt, lastAckAt, ackLatenciesMs, failed, emulatorUtilization };
}
