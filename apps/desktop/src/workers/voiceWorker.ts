// Entry of the voice utility process (Electron) or child process (serve mode, CLI, tests).
import { runVoiceWorker } from '@assistant/voice/worker';

runVoiceWorker();
