import { describe, expect, it } from 'vitest';

import { failureOfBody } from '../platform-failure.js';

const SCOPE_A = 'app_engine:workspace.table.record:read';
const SCOPE_B = 'app_engine:workspace.table.record:write';

describe('reading a platform failure', () => {
  it('takes the scopes from permission_violations', () => {
    const failure = failureOfBody({ code: 99991679, msg: 'Access denied.', error: {
      log_id: 'log_1', permission_violations: [{ subject: SCOPE_A }, { subject: SCOPE_B }] } });

    expect(failure).toMatchObject({ code: 99991679, logId: 'log_1', scopes: [SCOPE_A, SCOPE_B] });
  });

  it('falls back to the scopes listed in the message', () => {
    const failure = failureOfBody({ code: 99991672,
      msg: `Access denied. One of the following scopes is required: [${SCOPE_A}, ${SCOPE_B}]` });

    expect(failure.scopes).toEqual([SCOPE_A, SCOPE_B]);
  });

  it('reads the rate-limit reset header in seconds', () => {
    const failure = failureOfBody({ code: 99991400, msg: 'limited' }, 429,
      { 'x-ogw-ratelimit-reset': '7', 'x-tt-logid': 'log_2' });

    expect(failure).toMatchObject({ resetSeconds: 7, logId: 'log_2', httpStatus: 429 });
  });
});
