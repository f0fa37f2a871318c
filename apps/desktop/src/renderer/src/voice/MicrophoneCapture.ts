import type { MicrophoneStatus } from '@assistant/core';
import processorUrl from './captureProcessor.ts?worker&url';

/** Why the microphone could not be opened, as the host's tier understands it, with the browser's detail. */
export class MicrophoneError extends Error {
  constructor(
    readonly status: Extract<MicrophoneStatus, 'denied' | 'absent' | 'lost'>,
    message: string,
  ) {
    super(message);
  }
}

export interface CaptureCallbacks {
  /** 16 kHz mono Int16 samples, ~100 ms each, in order. */
  onFrame(samples: Int16Array): void;
  /** The device went away mid-capture (unplugged, or the OS took it). */
  onLost(): void;
}

/** The browser's getUserMedia errors, mapped onto the tier's microphone states. */
export function microphoneErrorOf(error: unknown): MicrophoneError {
  // OverconstrainedError is not an Error subclass everywhere: read the fields structurally.
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  const detail = typeof message === 'string' && message ? message : String(error);
  if (name === 'NotAllowedError' || name === 'SecurityError') return new MicrophoneError('denied', detail);
  // NotFoundError, OverconstrainedError, NotReadableError (held by another app) and the rest: no usable device.
  return new MicrophoneError('absent', detail);
}

/**
 * One open microphone: getUserMedia with the browser's echo cancellation, an AudioWorklet that downsamples
 * to 16 kHz frames, and the track's 'ended' event reported as a lost device.
 */
export class MicrophoneCapture {
  private constructor(
    private readonly stream: MediaStream,
    private readonly context: AudioContext,
    private readonly node: AudioWorkletNode,
    /** The browser really cancels echo (track settings), so the mic can stay live while a reply plays. */
    readonly echoCancellation: boolean,
  ) {}

  static async open(callbacks: CaptureCallbacks): Promise<MicrophoneCapture> {
    if (!navigator.mediaDevices?.getUserMedia) throw new MicrophoneError('absent', 'this window has no access to audio devices');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    } catch (error) {
      throw microphoneErrorOf(error);
    }
    const track = stream.getAudioTracks()[0];
    if (!track) {
      stream.getTracks().forEach((t) => t.stop());
      throw new MicrophoneError('absent', 'no audio input was found');
    }
    const context = new AudioContext();
    try {
      await context.audioWorklet.addModule(processorUrl);
      const node = new AudioWorkletNode(context, 'capture-processor', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
      node.port.onmessage = (event: MessageEvent<{ type: string; pcm?: ArrayBuffer }>) => {
        if (event.data.type === 'frame' && event.data.pcm) callbacks.onFrame(new Int16Array(event.data.pcm));
      };
      context.createMediaStreamSource(stream).connect(node);
      // A context made outside a user gesture starts suspended; capture must run anyway.
      await context.resume();
      const capture = new MicrophoneCapture(stream, context, node, track.getSettings().echoCancellation === true);
      track.addEventListener('ended', () => callbacks.onLost(), { once: true });
      return capture;
    } catch (error) {
      stream.getTracks().forEach((t) => t.stop());
      void context.close();
      throw error;
    }
  }

  /** Delivers the samples still inside the worklet (a partial frame) before resolving. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 500);
      const previous = this.node.port.onmessage;
      this.node.port.onmessage = (event: MessageEvent<{ type: string }>) => {
        previous?.call(this.node.port, event);
        if (event.data.type !== 'flushed') return;
        clearTimeout(timer);
        this.node.port.onmessage = previous;
        resolve();
      };
      this.node.port.postMessage({ type: 'flush' });
    });
  }

  close(): void {
    this.stream.getTracks().forEach((track) => track.stop());
    this.node.port.onmessage = null;
    void this.context.close();
  }
}
