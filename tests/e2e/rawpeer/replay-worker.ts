// The raw peer's replaying sender transform: every frame the camera encodes leaves with the bytes
// of the next recorded frame instead (in order, then again from the start). Used to play an SFU
// that puts one participant's frames on another participant's track.
interface EncodedFrame {
  data: ArrayBuffer;
}
interface ReplayTransformer {
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
  readonly options: { frames: Uint8Array[] };
}

(self as unknown as { onrtctransform: (event: { transformer: ReplayTransformer }) => void }).onrtctransform = ({ transformer }) => {
  const { frames } = transformer.options;
  let next = 0;
  void transformer.readable
    .pipeThrough(
      new TransformStream<EncodedFrame, EncodedFrame>({
        transform(frame, controller) {
          const replayed = frames[next++ % frames.length];
          if (replayed === undefined) return;
          frame.data = replayed.slice().buffer;
          controller.enqueue(frame);
        },
      }),
    )
    .pipeTo(transformer.writable)
    .catch(() => undefined);
};
export {};
