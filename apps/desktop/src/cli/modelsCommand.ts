import { AssistantError, ErrorCode, escapeForTerminal } from '@assistant/core';
import { ModelManager, NetworkGate, createStderrLogger, loadManifest, resolveAppPaths } from '@assistant/core/node';
import cliProgress from 'cli-progress';
import { manifestPath } from '../node/repoPaths.js';
import type { CliIo } from './main.js';

const formatBytes = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

/** `models list|pull|import`: the model manager without starting the host or any worker. */
export async function modelsCommand(args: string[], options: { json: boolean }, io: CliIo): Promise<number> {
  const [action, target] = args;
  const paths = resolveAppPaths();
  const manager = new ModelManager({ modelsDir: paths.modelsDir, manifest: loadManifest(manifestPath()), network: new NetworkGate({ logger: createStderrLogger('warn') }) });
  switch (action) {
    case 'list': {
      const installed = await manager.installed();
      const catalog = manager.catalog();
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ modelsDir: manager.modelsDir, installed, catalog }, null, 2)}\n`);
        return 0;
      }
      io.stdout.write(`Models folder: ${manager.modelsDir}\n\nInstalled:\n`);
      if (installed.length === 0) io.stdout.write('  (none)\n');
      for (const model of installed) io.stdout.write(`  ${escapeForTerminal(model.name).padEnd(48)} ${model.kinds.join(',').padEnd(16)} ${formatBytes(model.sizeBytes)}\n`);
      io.stdout.write('\nCatalog (npm run assistant -- models pull ID):\n');
      for (const model of catalog) io.stdout.write(`  ${model.id.padEnd(48)} ${model.kind.padEnd(10)} ~${formatBytes(model.sizeBytes).padEnd(9)} ${model.installed ? 'installed' : ''}\n`);
      return 0;
    }
    case 'pull': {
      if (!target) throw new AssistantError(ErrorCode.InvalidInput, 'models pull needs a model id; see `models list`.');
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      const bar = new cliProgress.SingleBar({ format: ' {file} [{bar}] {percentage}% | {received} of {total}', hideCursor: true, stream: io.stderr }, cliProgress.Presets.shades_classic);
      let started = false;
      try {
        const model = await manager.pull(target, {
          signal: controller.signal,
          onProgress: (progress) => {
            const payload = { file: progress.file, received: formatBytes(progress.receivedBytes), total: formatBytes(progress.totalBytes) };
            if (!started) {
              started = true;
              bar.start(progress.totalBytes || 1, progress.receivedBytes, payload);
            } else bar.update(progress.receivedBytes, payload);
          },
        });
        bar.stop();
        io.stdout.write(`Installed ${escapeForTerminal(model.name)} at ${escapeForTerminal(model.path)}\n`);
        return 0;
      } catch (error) {
        if (!controller.signal.aborted) throw error;
        if (started) bar.stop();
        io.stderr.write(`Stopped. \`models pull ${escapeForTerminal(target)}\` resumes the download where it stopped.\n`);
        return 130;
      } finally {
        process.off('SIGINT', onSigint);
        if (started) bar.stop();
      }
    }
    case 'import': {
      if (!target) throw new AssistantError(ErrorCode.InvalidInput, 'models import needs a folder.');
      const installed = await manager.import(target);
      io.stdout.write(`Imported into ${manager.modelsDir}. Installed now:\n`);
      for (const model of installed) io.stdout.write(`  ${escapeForTerminal(model.name)}\n`);
      return 0;
    }
    default:
      throw new AssistantError(ErrorCode.InvalidInput, `Unknown models action "${action ?? ''}": use list, pull ID or import DIR.`);
  }
}
