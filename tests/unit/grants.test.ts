import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GrantRequests } from '../../client/src/lib/grants';
import { type LiveKitGrant } from '../../protocol/protocol';

const grant: LiveKitGrant = { url: 'ws://127.0.0.1:7880', token: 't', iceServers: 'none' };

describe('LiveKit grant requests', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('asks once for concurrent requests and gives every waiter the answer', async () => {
    const ask = vi.fn();
    const grants = new GrantRequests(ask);
    const both = Promise.all([grants.request(), grants.request()]);
    expect(ask).toHaveBeenCalledTimes(1);
    grants.settle(grant);
    await expect(both).resolves.toEqual([grant, grant]);
  });

  it('asks again on a new socket only while someone waits', () => {
    const ask = vi.fn();
    const grants = new GrantRequests(ask);
    grants.reconnected();
    expect(ask).toHaveBeenCalledTimes(0);
    void grants.request().catch(() => undefined);
    grants.reconnected();
    expect(ask).toHaveBeenCalledTimes(2);
  });

  it('rejects on a refusal, and on a timeout', async () => {
    const grants = new GrantRequests(() => undefined);
    const refused = grants.request();
    grants.settle(new Error('token refused: not-admitted'));
    await expect(refused).rejects.toThrow(/not-admitted/);
    const late = grants.request();
    vi.advanceTimersByTime(10_001);
    await expect(late).rejects.toThrow(/no token/);
  });
});
