import { AssistantHost, ChildProcessLauncher, type LogLevel, type Logger, type Manifest, createStderrLogger, resolveAppPaths } from '@assistant/core/node';
import { createDocumentLibrary } from '@assistant/rag/library';
import { createVoiceLibrary } from '@assistant/voice/library';
import { appVersion, manifestPath } from './repoPaths.js';
import { nodeWorkerEntries } from './workerEntries.js';

export interface NodeHostOptions {
  /** `--model NAME|PATH`. */
  model?: string | null;
  preload?: boolean;
  logger?: Logger;
  logLevel?: LogLevel;
  home?: string;
  modelsDir?: string;
  breaker?: { failureThreshold?: number; openMs?: number };
  /** A manifest other than ASSISTANT_MODEL_MANIFEST or the repository's. */
  manifest?: Manifest | string;
  /** How often the host looks for changes made by the CLI beside it (ms); 0 never looks. */
  watchIntervalMs?: number;
}

/** The host outside Electron (serve mode, CLI, tests, benchmarks): workers via child_process.fork. */
export function createNodeHost(options: NodeHostOptions = {}): Promise<AssistantHost> {
  const logger = options.logger ?? createStderrLogger((process.env.ASSISTANT_LOG_LEVEL as LogLevel | undefined) ?? options.logLevel ?? 'warn');
  return AssistantHost.create({
    paths: resolveAppPaths({ home: options.home, modelsDir: options.modelsDir }),
    launcher: new ChildProcessLauncher({ entries: nodeWorkerEntries(), logger }),
    logger,
    manifest: options.manifest ?? manifestPath(),
    version: appVersion(),
    chatModel: options.model ?? null,
    preload: options.preload ?? false,
    breaker: options.breaker,
    documents: createDocumentLibrary,
    voice: createVoiceLibrary,
    watchIntervalMs: options.watchIntervalMs,
  });
}
