// `npm start` without REDIS_URL (scripts/redis/local.ts): a local redis-server keeps rooms in the
// state dir, a second run on the same dir is refused clearly, and a missing redis-server is said.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localRedis, redactedUrl, stateDir, type LocalRedis } from '../../scripts/redis/local';
import { RedisStartError } from '../../scripts/redis/process';
import { createRoom, startTestServer, type TestServer } from './helpers';

const started: LocalRedis[] = [];
const dirs: string[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(started.splice(0).map((r) => r.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function stateHome(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'sealroom-state-'));
  dirs.push(d);
  return d;
}

describe('npm start room store', () => {
  it('starts a local redis-server under the state dir and keeps rooms across a server restart', async () => {
    const home = await stateHome();
    const redis = await localRedis({ XDG_STATE_HOME: home });
    started.push(redis);
    expect(redis.message).toContain(`append-only file in ${path.join(home, 'sealroom', 'redis')}`);
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    server = await startTestServer({}, { REDIS_URL: redis.url! });
    const room = await createRoom(server.base);
    await server.close();
    await redis.stop();
    started.pop();
    const again = await localRedis({ XDG_STATE_HOME: home });
    started.push(again);
    server = await startTestServer({}, { REDIS_URL: again.url! });
    const res = await fetch(`${server.base}/api/rooms/${room.roomId}`, { headers: { authorization: `Bearer ${room.hostCredential}` } });
    expect(res.status).toBe(200);
  });

  it('refuses to start a second redis-server on a data dir that one still uses', async () => {
    const home = await stateHome();
    started.push(await localRedis({ XDG_STATE_HOME: home }));
    await expect(localRedis({ XDG_STATE_HOME: home })).rejects.toThrow(RedisStartError);
    await expect(localRedis({ XDG_STATE_HOME: home })).rejects.toThrow(/still uses .*sealroom\/redis; stop it/);
  });

  it('says rooms live in the process only when redis-server is not installed', async () => {
    const redis = await localRedis({ XDG_STATE_HOME: await stateHome() }, ['/nonexistent/redis-server']);
    expect(redis.url).toBeUndefined();
    expect(redis.message).toMatch(/in this process only — redis-server is not installed.*lost when Sealroom stops/s);
    expect(redis.message).toContain('apt install redis-server');
  });

  it('uses REDIS_URL when set, and never prints its password', async () => {
    const redis = await localRedis({ REDIS_URL: 'redis://user:s3cret@10.0.0.5:6380' });
    expect(redis.url).toBeUndefined();
    expect(redis.message).toContain('redis://10.0.0.5:6380');
    expect(redis.message).not.toContain('s3cret');
    expect(redactedUrl('not a url')).toBe('REDIS_URL');
    expect(stateDir({ XDG_STATE_HOME: '/x' })).toBe('/x/sealroom/redis');
  });
});
