import { benchApi } from './api.js';
import { benchAudit } from './audit.js';
import { benchGrounded } from './grounded.js';
import { benchIngest } from './ingest.js';
import { benchLlm } from './llm.js';
import { benchOcr } from './ocr.js';
import { benchTurns } from './turns.js';
import { benchContention } from './contention.js';
import { runSearchBench } from './search.js';
import { benchVoice } from './voice.js';

const benches: Record<string, (argv: string[]) => Promise<void>> = { llm: benchLlm, search: runSearchBench, ingest: benchIngest, voice: benchVoice, audit: benchAudit, api: benchApi, grounded: benchGrounded, ocr: benchOcr, turns: benchTurns, contention: benchContention };

const [name, ...rest] = process.argv.slice(2);
const bench = name ? benches[name] : undefined;
if (!bench) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
bench(rest).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`Error: ${(error as Error).message}`);
    process.exit(1);
  },
);
