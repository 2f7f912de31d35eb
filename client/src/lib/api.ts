// Typed access to the signaling server's HTTP API (protocol/protocol.ts). Every response body is
// parsed with the shared schema; refusals come back as typed results, never as thrown errors.
import {
  CreateRoomResponse,
  HttpError,
  RoomStatusResponse,
  type CreateRoomRequest,
  type ErrorCode,
  type RoomStatusResponse as RoomStatus,
  type CreateRoomResponse as CreatedRoom,
} from '../../../protocol/protocol';

export type ApiFailure = { readonly ok: false; readonly status: number; readonly code: ErrorCode | 'network' | 'bad-response'; readonly message: string };
export type ApiResult<T> = { readonly ok: true; readonly value: T } | ApiFailure;

export type StatusResult =
  | { readonly kind: 'ok'; readonly status: RoomStatus }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'error'; readonly message: string };

async function request(path: string, init: RequestInit): Promise<ApiResult<unknown>> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch {
    return { ok: false, status: 0, code: 'network', message: 'The server could not be reached.' };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.ok) return { ok: true, value: body };
  const error = HttpError.safeParse(body);
  return error.success
    ? { ok: false, status: response.status, code: error.data.error, message: error.data.message }
    : { ok: false, status: response.status, code: 'bad-response', message: `The server answered ${response.status}.` };
}

function parsed<T>(result: ApiResult<unknown>, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): ApiResult<T> {
  if (!result.ok) return result;
  const value = schema.safeParse(result.value);
  return value.success ? { ok: true, value: value.data } : { ok: false, status: 200, code: 'bad-response', message: 'The server sent an unexpected answer.' };
}

/** POST /api/rooms */
export async function createRoom(body: CreateRoomRequest): Promise<ApiResult<CreatedRoom>> {
  const result = await request('/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return parsed(result, CreateRoomResponse);
}

/** GET /api/rooms/:id with the host credential or the access token as bearer. */
export async function roomStatus(roomId: string, bearer: string): Promise<StatusResult> {
  const result = parsed(
    await request(`/api/rooms/${encodeURIComponent(roomId)}`, { method: 'GET', headers: { authorization: `Bearer ${bearer}` } }),
    RoomStatusResponse,
  );
  if (result.ok) return { kind: 'ok', status: result.value };
  if (result.status === 404) return { kind: 'not-found' };
  if (result.status === 403 || result.status === 401) return { kind: 'forbidden' };
  return { kind: 'error', message: result.message };
}
