import * as lark from '@larksuiteoapi/node-sdk';

import type { LarkServiceError } from '../../src/kernel/errors.js';
import type { LarkClient } from '../../src/kernel/lark-client.js';
import type { Logger } from '../../src/kernel/logger.js';
import { appScopeMissing, callFailed, rateLimited } from './apaas-errors.js';
import {
  failureOfBody, failureOfError, PlatformCodes, type PlatformFailure,
} from './platform-failure.js';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  params?: Record<string, string | number | boolean | undefined>;
  data?: Record<string, unknown>;
  /** What the call does, for error messages: "query records of orders". */
  what: string;
}

export interface RateLimitPolicy {
  /** Retries after 99991400 before giving up. */
  maxRetries: number;
  /** A reset further away than this fails at once instead of waiting. */
  maxWaitMs: number;
  /** Wait used when the platform sends no `x-ogw-ratelimit-reset`. */
  fallbackWaitMs: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A failed call: the platform's answer read, and the catalogued error that stands for it. */
export class PlatformCallError extends Error {
  constructor(readonly failure: PlatformFailure, readonly error: LarkServiceError) {
    super(error.message, { cause: error });
  }
}

interface Envelope {
  code?: number;
  data?: unknown;
}

/**
 * Sends aPaaS calls through the kernel's SDK client: with the tenant token the client manages,
 * or with a user token when one is given. Waits out rate limits for as long as the platform's
 * reset header says, within the policy's cap; turns every other failure into a catalogued
 * error (99991672 into the operator-facing app-scope error), leaving the user-token meanings
 * to the caller.
 */
export class OpenApiCaller {
  constructor(
    private readonly client: LarkClient,
    private readonly policy: RateLimitPolicy,
    private readonly logger: Logger,
    private readonly sleep: Sleep = realSleep,
  ) {}

  async send<T>(request: ApiRequest, userToken?: string): Promise<T> {
    for (let retries = 0; ; retries += 1) {
      const outcome = await this.attempt(request, userToken);
      if (outcome.ok) return outcome.data as T;
      const { failure } = outcome;
      if (failure.code !== PlatformCodes.rateLimited) {
        throw new PlatformCallError(failure, this.errorFor(failure, request));
      }
      await this.waitOutRateLimit(failure, request, retries);
    }
  }

  private async attempt(request: ApiRequest, userToken: string | undefined):
    Promise<{ ok: true; data: unknown } | { ok: false; failure: PlatformFailure }> {
    try {
      const body = (await this.client.request({
        method: request.method,
        url: request.url,
        params: request.params,
        data: request.data,
      }, userToken ? lark.withUserAccessToken(userToken) : undefined)) as Envelope;
      if (body?.code !== 0) return { ok: false, failure: failureOfBody(body ?? {}) };
      return { ok: true, data: body.data ?? {} };
    } catch (err) {
      // The SDK's HTTP error holds the request with its Authorization header: read it, never
      // keep it as a cause, so no token can reach a log through the error chain.
      return { ok: false, failure: failureOfError(err) };
    }
  }

  private async waitOutRateLimit(failure: PlatformFailure, request: ApiRequest,
    retries: number): Promise<void> {
    const waitMs = failure.resetSeconds === undefined
      ? this.policy.fallbackWaitMs : failure.resetSeconds * 1000;
    if (retries >= this.policy.maxRetries) {
      throw new PlatformCallError(failure, rateLimited(failure, request.what,
        `still limited after ${retries} retries`));
    }
    if (waitMs > this.policy.maxWaitMs) {
      throw new PlatformCallError(failure, rateLimited(failure, request.what,
        `the platform asks to wait ${waitMs} ms, more than the ${this.policy.maxWaitMs} ms cap`));
    }
    this.logger.debug({ waitMs, url: request.url }, 'rate-limited; waiting for the reset');
    await this.sleep(waitMs);
  }

  private errorFor(failure: PlatformFailure, request: ApiRequest): LarkServiceError {
    if (failure.code === PlatformCodes.appScopeMissing) {
      this.logger.warn({ scopes: failure.scopes, url: request.url },
        'the app lacks an API scope; add it in the developer console');
      return appScopeMissing(failure, request.what);
    }
    return callFailed(failure, request.what);
  }
}
