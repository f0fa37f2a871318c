import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AssistantError, cancelledError, ErrorCode } from '@assistant/core';
import type { AudioBuffer } from '../../common/audio/pcm.js';
import { decodeWav } from '../../common/audio/wav.js';
import type { SpeakOptions } from './PiperTts.js';

export interface SystemVoiceOptions {
  /** Defaults to this machine's. */
  platform?: NodeJS.Platform;
  /** The program to run instead of espeak-ng / say / powershell (tests, unusual installs). */
  binary?: string;
  /** A synthesis that takes longer than this is stopped. */
  timeoutMs?: number;
}

export interface SystemVoice {
  readonly engine: 'system';
  /** The program that speaks: espeak-ng, say or SAPI. */
  readonly voice: string;
  /** The rate it usually produces (each result carries its own). */
  readonly sampleRate: number;
  speak(text: string, options?: SpeakOptions): Promise<AudioBuffer>;
}

interface Backend {
  name: string;
  binary: string;
  missing: string;
  probeArgs: string[];
  sampleRate: number;
  synthesize(text: string, speed: number, run: Runner): Promise<Uint8Array>;
}
type Runner = (args: string[], input: string, env?: Record<string, string>) => Promise<Uint8Array>;

const windowsScript = [
  '$ErrorActionPreference = "Stop"',
  '$text = [Console]::In.ReadToEnd()',
  'Add-Type -AssemblyName System.Speech',
  '$s = New-Object System.Speech.Synthesis.SpeechSynthesizer',
  '$s.Rate = [int]$env:ASSISTANT_TTS_RATE',
  '$s.SetOutputToWaveFile($env:ASSISTANT_TTS_OUT)',
  '$s.Speak($text)',
  '$s.Dispose()',
].join('; ');

async function withTempWav(run: (file: string) => Promise<void>): Promise<Uint8Array> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assistant-tts-'));
  try {
    const file = path.join(dir, 'speech.wav');
    await run(file);
    return new Uint8Array(await fs.readFile(file));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function backendFor(platform: NodeJS.Platform, binary: string | undefined): Backend {
  if (platform === 'darwin') {
    const bin = binary ?? 'say';
    return {
      name: 'say',
      binary: bin,
      missing: `The macOS system voice (${bin}) is not available.`,
      probeArgs: ['-v', '?'],
      sampleRate: 22_050,
      // Text on stdin (`-f -`), never as an argument: it may start with "-".
      synthesize: (text, speed, run) => withTempWav((file) => run(['-r', String(Math.round(180 * speed)), '--data-format=LEI16@22050', '-o', file, '-f', '-'], text).then(() => undefined)),
    };
  }
  if (platform === 'win32') {
    const bin = binary ?? 'powershell.exe';
    return {
      name: 'SAPI',
      binary: bin,
      missing: `The Windows system voice needs PowerShell (${bin}), which was not found.`,
      probeArgs: ['-NoProfile', '-NonInteractive', '-Command', 'exit 0'],
      sampleRate: 22_050,
      synthesize: (text, speed, run) =>
        withTempWav((file) =>
          // SAPI's Rate runs from -10 to 10; about ±10 steps per tripling or thirding of the speed.
          run(['-NoProfile', '-NonInteractive', '-Command', windowsScript], text, { ASSISTANT_TTS_OUT: file, ASSISTANT_TTS_RATE: String(Math.max(-10, Math.min(10, Math.round((10 * Math.log(speed)) / Math.log(3))))) }).then(() => undefined),
        ),
    };
  }
  const bin = binary ?? 'espeak-ng';
  return {
    name: 'espeak-ng',
    binary: bin,
    missing: `espeak-ng is not installed (${bin} was not found); install it, e.g. sudo apt-get install espeak-ng.`,
    probeArgs: ['--version'],
    sampleRate: 22_050,
    // espeak-ng's default is 175 words per minute.
    synthesize: (text, speed, run) => run(['--stdout', '--stdin', '-s', String(Math.max(80, Math.min(450, Math.round(175 * speed))))], text),
  };
}

/**
 * The operating system's voice, the fallback when no Piper voice works: espeak-ng on Linux, `say` on
 * macOS, SAPI through PowerShell on Windows. The factory checks the program runs, so a missing one is
 * reported when the voice is loaded, not at the first sentence.
 */
export async function createSystemVoice(options: SystemVoiceOptions = {}): Promise<SystemVoice> {
  const backend = backendFor(options.platform ?? process.platform, options.binary);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const runner =
    (signal?: AbortSignal): Runner =>
    (args, input, env) =>
      runProgram(backend, args, input, { env, signal, timeoutMs });
  await runner()(backend.probeArgs, '');
  return {
    engine: 'system',
    voice: backend.name,
    sampleRate: backend.sampleRate,
    async speak(text, { speed = 1, signal } = {}) {
      if (signal?.aborted) throw cancelledError();
      const bytes = await backend.synthesize(text, speed, runner(signal));
      const audio = decodeWav(bytes, `the ${backend.name} output`);
      if (!audio.samples.length) throw new AssistantError(ErrorCode.VoiceEngineFailed, `The system voice (${backend.name}) produced no audio.`);
      return { samples: audio.samples, sampleRate: audio.sampleRate };
    },
  };
}

function runProgram(backend: Backend, args: string[], input: string, options: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs: number }): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(backend.binary, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const stdout: Buffer[] = [];
    let stderr = '';
    let settled = false;
    const finish = (error: Error | null, value?: Uint8Array) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(value!);
    };
    const onAbort = () => {
      child.kill();
      finish(cancelledError());
    };
    const timer = setTimeout(() => {
      child.kill();
      finish(new AssistantError(ErrorCode.VoiceEngineFailed, `The system voice (${backend.name}) took longer than ${options.timeoutMs / 1000} s and was stopped.`));
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.code === 'ENOENT' ? backend.missing : `The system voice (${backend.name}) could not be started: ${error.message}`;
      finish(new AssistantError(ErrorCode.VoiceEngineFailed, message, { cause: error }));
    });
    child.on('close', (code) => {
      if (code === 0) finish(null, new Uint8Array(Buffer.concat(stdout)));
      else finish(new AssistantError(ErrorCode.VoiceEngineFailed, `The system voice (${backend.name}) failed with exit code ${code}${stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : ''}.`));
    });
    // The program may exit before reading its input (a probe); a broken pipe is not the error to report.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
