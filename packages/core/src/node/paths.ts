import os from 'node:os';
import path from 'node:path';

export interface AppPaths {
  /** The user data folder: database, downloaded models, logs. */
  home: string;
  /** Where models are found and pulled to. */
  modelsDir: string;
  database: string;
}

export const appFolderName = 'local-voice-assistant';

/** The OS's per-user application data folder, as Electron's app.getPath('appData') would give. */
export function defaultAppDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') return env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME ?? path.join(home, '.config');
}

/** ASSISTANT_HOME and ASSISTANT_MODELS_DIR override the defaults; explicit options override both. */
export function resolveAppPaths(options: { home?: string; modelsDir?: string; env?: NodeJS.ProcessEnv } = {}): AppPaths {
  const env = options.env ?? process.env;
  const home = path.resolve(options.home ?? env.ASSISTANT_HOME ?? path.join(defaultAppDataDir(process.platform, env), appFolderName));
  const modelsDir = path.resolve(options.modelsDir ?? env.ASSISTANT_MODELS_DIR ?? path.join(home, 'models'));
  return { home, modelsDir, database: path.join(home, 'assistant.db') };
}
