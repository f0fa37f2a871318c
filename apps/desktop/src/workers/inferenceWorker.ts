// Entry of the inference utility process (Electron) or child process (serve mode, CLI, tests).
import { runInferenceWorker } from '@assistant/core/inference-worker';

runInferenceWorker();
