// Asks a LiveKit server what it tells a joining client: opens its signalling WebSocket with a token
// minted directly, and reads the ICE server URLs out of the first message (a protobuf SignalResponse).
//
// Field numbers from livekit/protocol's livekit_rtc.proto:
//   SignalResponse { JoinResponse join = 1; ... }
//   JoinResponse   { ...; repeated ICEServer ice_servers = 5; ... }
//   ICEServer      { repeated string urls = 1; string username = 2; string credential = 3; }
import { randomBytes } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import WebSocket from 'ws';

interface LengthDelimited {
  field: number;
  bytes: Uint8Array;
}

/** The length-delimited fields (wire type 2) of one protobuf message; other wire types are skipped. */
function lengthDelimitedFields(message: Uint8Array): LengthDelimited[] {
  const out: LengthDelimited[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = message[at++];
      if (byte === undefined || shift > 49) throw new Error('truncated or oversized protobuf varint');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < message.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (at + length > message.length) throw new Error('truncated protobuf field');
      out.push({ field, bytes: message.subarray(at, at + length) });
      at += length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const sub = (message: Uint8Array, field: number) => lengthDelimitedFields(message).filter((f) => f.field === field).map((f) => f.bytes);

function iceServerUrlsOfSignalResponse(signalResponse: Uint8Array): string[] {
  const join = sub(signalResponse, 1)[0];
  if (join === undefined) throw new Error('the first signal message is not a JoinResponse');
  const decoder = new TextDecoder();
  return sub(join, 5).flatMap((iceServer) => sub(iceServer, 1).map((url) => decoder.decode(url)));
}

/** Joins `room` as a throwaway participant and returns the ICE server URLs LiveKit hands it. */
export async function advertisedIceServerUrls(url: string, apiKey: string, apiSecret: string, room: string): Promise<string[]> {
  const token = new AccessToken(apiKey, apiSecret, { identity: `probe-${randomBytes(6).toString('hex')}`, ttl: 60 });
  token.addGrant({ roomJoin: true, room, canPublish: false, canSubscribe: false });
  const jwt = await token.toJwt();
  const socket = new WebSocket(`${url}/rtc?access_token=${encodeURIComponent(jwt)}&protocol=16&sdk=js&auto_subscribe=0`);
  try {
    const first = await new Promise<WebSocket.RawData>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no signal message from LiveKit within 10 s')), 10_000);
      socket.once('message', (data) => (clearTimeout(timer), resolve(data)));
      socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    const bytes = Array.isArray(first) ? Buffer.concat(first) : first instanceof ArrayBuffer ? Buffer.from(first) : first;
    return iceServerUrlsOfSignalResponse(new Uint8Array(bytes));
  } finally {
    socket.close();
  }
}
