// The end-to-end encryption seam. Imported for its side effect first thing in main.ts, before
// livekit-client can create an RTCPeerConnection, it hands every RTCRtpSender and RTCRtpReceiver
// to the registered callbacks synchronously, the moment the browser creates it:
//   - senders and receivers of addTransceiver(), and the sender of addTrack(), before those
//     calls return (so before any negotiation, so before any frame can leave the page);
//   - receivers (and senders) of transceivers created by a remote description, from a 'track'
//     listener attached inside the constructor, so it runs before any handler livekit-client sets,
//     and again by a scan when setRemoteDescription settles, for transceivers with no 'track' event.
// Each object is handed over exactly once. Callbacks must not throw; a callback that does is
// reported and the call that created the object fails, so nothing is sent unprotected.
//
// Transforms are pinned. `pinTransform` attaches Sealroom's transform through the engine's own
// setter and remembers it; from the moment this module loads, the `transform` accessor of
// RTCRtpSender and RTCRtpReceiver is replaced by one that ignores every other assignment (and can
// no longer be redefined), and legacy encoded streams (`createEncodedStreams`) are refused. So no
// library can remove or replace our transform: livekit-client's frame-metadata support assigns
// `receiver.transform = null` on every subscribed video track in non-Chromium engines, which in
// Firefox used to let the decoder render whatever VP8 the SFU sent. Code that reaches the engine's
// setter another way (another realm's prototype) is caught by `detachedEndpoints`, which the page
// polls; a detached endpoint is failed closed by its owner (media-keys.svelte.ts).

export type MediaKind = 'audio' | 'video';
export type SenderCallback = (sender: RTCRtpSender, kind: MediaKind, pc: RTCPeerConnection) => void;
export type ReceiverCallback = (receiver: RTCRtpReceiver, kind: MediaKind, pc: RTCPeerConnection) => void;

const senderCallbacks = new Set<SenderCallback>();
const receiverCallbacks = new Set<ReceiverCallback>();
const seenSenders = new WeakSet<RTCRtpSender>();
const seenReceivers = new WeakSet<RTCRtpReceiver>();
const senders = new Set<WeakRef<RTCRtpSender>>();
const receivers = new Set<WeakRef<RTCRtpReceiver>>();
const owners = new WeakMap<RTCRtpSender | RTCRtpReceiver, { pc: RTCPeerConnection; kind: MediaKind }>();

/** Called for every sender created from now on, and at once for every live one created before. */
export function onSenderCreated(callback: SenderCallback): () => void {
  senderCallbacks.add(callback);
  for (const ref of senders) {
    const sender = ref.deref();
    const owner = sender && owners.get(sender);
    if (sender && owner) callback(sender, owner.kind, owner.pc);
  }
  return () => senderCallbacks.delete(callback);
}

/** Called for every receiver created from now on, and at once for every live one created before. */
export function onReceiverCreated(callback: ReceiverCallback): () => void {
  receiverCallbacks.add(callback);
  for (const ref of receivers) {
    const receiver = ref.deref();
    const owner = receiver && owners.get(receiver);
    if (receiver && owner) callback(receiver, owner.kind, owner.pc);
  }
  return () => receiverCallbacks.delete(callback);
}

type Endpoint = RTCRtpSender | RTCRtpReceiver;
interface Accessor {
  readonly get: (this: Endpoint) => unknown;
  readonly set: (this: Endpoint, value: unknown) => void;
}
/** The engine's own `transform` accessors, captured before anything else can run. */
const natives = new Map<object, Accessor>();
const pinned = new WeakMap<Endpoint, object>();
let refusedChanges = 0;

function nativeOf(endpoint: Endpoint): Accessor | undefined {
  return natives.get(Object.getPrototypeOf(endpoint) as object);
}

/** Attach `transform` to `endpoint` for good: later assignments by anyone are ignored. */
export function pinTransform(endpoint: Endpoint, transform: object): void {
  const native = nativeOf(endpoint);
  if (native === undefined) throw new Error('this browser cannot attach media transforms');
  if (pinned.has(endpoint)) throw new Error('a transform is already pinned to this endpoint');
  native.set.call(endpoint, transform);
  pinned.set(endpoint, transform);
}

/** True while the engine still runs the transform pinned to `endpoint`. */
function transformIntact(endpoint: Endpoint): boolean {
  const transform = pinned.get(endpoint);
  return transform !== undefined && nativeOf(endpoint)?.get.call(endpoint) === transform;
}

/** Live endpoints whose pinned transform is no longer the one the engine runs. */
export function detachedEndpoints(): { senders: RTCRtpSender[]; receivers: RTCRtpReceiver[] } {
  const detached = (refs: Set<WeakRef<Endpoint>>) =>
    [...refs].map((ref) => ref.deref()).filter((e): e is Endpoint => e !== undefined && pinned.has(e) && !transformIntact(e));
  return { senders: detached(senders) as RTCRtpSender[], receivers: detached(receivers) as RTCRtpReceiver[] };
}

/** Assignments to `transform` and legacy encoded-stream requests refused so far. */
export function refusedTransformChanges(): number {
  return refusedChanges;
}

function guardTransforms(): void {
  const prototypes = [globalThis.RTCRtpSender?.prototype, globalThis.RTCRtpReceiver?.prototype];
  for (const proto of prototypes) {
    if (proto === undefined) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'transform');
    if (descriptor?.get !== undefined && descriptor.set !== undefined) {
      const native: Accessor = { get: descriptor.get, set: descriptor.set };
      natives.set(proto, native);
      Object.defineProperty(proto, 'transform', {
        configurable: false,
        enumerable: descriptor.enumerable ?? true,
        get(this: Endpoint) {
          return native.get.call(this);
        },
        set() {
          refusedChanges++; // only pinTransform attaches a transform
        },
      });
    }
    if ('createEncodedStreams' in proto) {
      Object.defineProperty(proto, 'createEncodedStreams', {
        configurable: false,
        writable: false,
        value() {
          refusedChanges++;
          throw new DOMException("Sealroom's transform owns this endpoint's encoded frames", 'InvalidStateError');
        },
      });
    }
  }
}

function handSender(sender: RTCRtpSender, kind: MediaKind, pc: RTCPeerConnection): void {
  if (seenSenders.has(sender)) return;
  seenSenders.add(sender);
  owners.set(sender, { pc, kind });
  senders.add(new WeakRef(sender));
  for (const callback of senderCallbacks) callback(sender, kind, pc);
}

function handReceiver(receiver: RTCRtpReceiver, pc: RTCPeerConnection): void {
  if (seenReceivers.has(receiver)) return;
  seenReceivers.add(receiver);
  // A receiver's track exists from creation and has the transceiver's kind.
  const kind = receiver.track.kind as MediaKind;
  owners.set(receiver, { pc, kind });
  receivers.add(new WeakRef(receiver));
  for (const callback of receiverCallbacks) callback(receiver, kind, pc);
}

function handTransceiver(transceiver: RTCRtpTransceiver, pc: RTCPeerConnection): void {
  handSender(transceiver.sender, transceiver.receiver.track.kind as MediaKind, pc);
  handReceiver(transceiver.receiver, pc);
}

function scan(pc: RTCPeerConnection): void {
  for (const transceiver of pc.getTransceivers()) handTransceiver(transceiver, pc);
}

function install(): void {
  const Native = globalThis.RTCPeerConnection as typeof RTCPeerConnection | undefined;
  if (Native === undefined || (Native as { sealroomHooked?: true }).sealroomHooked) return;
  const proto = Native.prototype;

  const addTransceiver = proto.addTransceiver;
  proto.addTransceiver = function (this: RTCPeerConnection, ...args: Parameters<typeof addTransceiver>) {
    const transceiver = addTransceiver.apply(this, args);
    handTransceiver(transceiver, this);
    return transceiver;
  };

  const addTrack = proto.addTrack;
  proto.addTrack = function (this: RTCPeerConnection, ...args: Parameters<typeof addTrack>) {
    const sender = addTrack.apply(this, args);
    handSender(sender, args[0].kind as MediaKind, this);
    // addTrack may create a transceiver or reuse one; either way its receiver is new to us or known.
    scan(this);
    return sender;
  };

  const setRemoteDescription = proto.setRemoteDescription;
  proto.setRemoteDescription = async function (this: RTCPeerConnection, ...args: Parameters<typeof setRemoteDescription>) {
    await setRemoteDescription.apply(this, args);
    scan(this);
  } as typeof setRemoteDescription;

  // Construct through a proxy so our 'track' listener is registered before any caller's handler.
  const Hooked = new Proxy(Native, {
    construct(target, args: unknown[], newTarget: NewableFunction) {
      const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
      pc.addEventListener('track', (event) => {
        handTransceiver(event.transceiver, pc);
        handReceiver(event.receiver, pc);
      });
      return pc;
    },
  });
  Object.defineProperty(Hooked, 'sealroomHooked', { value: true });
  globalThis.RTCPeerConnection = Hooked;
}

guardTransforms();
install();
