// `npm run soak -- <ingest-fuzz|kill> [--n N]`: the standing attack suite. Full counts (2,000 files, 20 kills)
// are for people; CI runs small counts through test/integration/soak.test.ts.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDataDir } from '../test/support/sharedData.js';
import { modelFile, tinyChatModelName } from '../test/support/models.js';
import { runIngestFuzz } from './ingestFuzz.js';
import { runKillSoak } from './killSoak.js';

const { values, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { n: { type: 'string' }, batch: { type: 'string' }, seed: { type: 'string' }, files: { type: 'string' } } });
const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  switch (positionals[0]) {
    case 'ingest-fuzz': {
      const data = sharedDataDir();
      if (!data) throw new Error('ingest-fuzz mutates the shared documents: set ASSISTANT_MODELS_DIR to the shared models folder (its sibling data/docs is used).');
      const summary = await runIngestFuzz({ docs: path.join(data, 'docs'), count: number(values.n, 2000), batch: number(values.batch, 100), seed: number(values.seed, 1), log });
      console.log(`\n${summary.files} files in ${summary.batches} batches: ${Object.entries(summary.outcomes).map(([status, n]) => `${n} ${status}`).join(', ')}`);
      console.log(`host crashes: ${summary.crashes}`);
      console.log(`files over 60 s: ${summary.over60s.length}${summary.over60s.map((line) => `\n  ${line}`).join('')}`);
      console.log(`files without a reason: ${summary.noReason.length}${summary.noReason.map((line) => `\n  ${line}`).join('')}`);
      console.log(`misleading reasons: ${summary.misleading.length}${summary.misleading.map((line) => `\n  ${JSON.stringify(line)}`).join('')}`);
      console.log(`earlier documents intact: ${summary.intact ? 'yes' : 'NO'}; integrity_check: ${summary.integrity}; unreadable files ${summary.unreadableTested ? 'tested' : 'not tested (root)'}`);
      console.log(JSON.stringify({ files: summary.files, crashes: summary.crashes, over_60s: summary.over60s.length, no_reason: summary.noReason.length, misleading: summary.misleading.length, intact: summary.intact, integrity: summary.integrity }));
      return summary.crashes + summary.over60s.length + summary.noReason.length + summary.misleading.length === 0 && summary.intact && summary.integrity === 'ok' ? 0 : 1;
    }
    case 'kill': {
      const summary = await runKillSoak({ kills: number(values.n, 20), files: number(values.files, 40), seed: number(values.seed, 7), embeddingModel: modelFile(tinyChatModelName), log });
      console.log(`\n${summary.kills} kills (${summary.midIngestion} left documents unfinished, ${summary.finishedBeforeKill} found the run finished): ${summary.corrupt} corrupt databases, ${summary.halfIngestedSearchable} unfinished documents searchable`);
      console.log(`resumed runs ${summary.sameCounts ? 'all ended with' : `DIFFERED: ${JSON.stringify(summary.final)} vs`} the uninterrupted run's ${JSON.stringify(summary.reference)}`);
      console.log(JSON.stringify({ kills: summary.kills, mid_ingestion: summary.midIngestion, finished_before_kill: summary.finishedBeforeKill, corrupt: summary.corrupt, half_ingested_searchable: summary.halfIngestedSearchable, same_counts: summary.sameCounts }));
      return summary.corrupt === 0 && summary.halfIngestedSearchable === 0 && summary.sameCounts ? 0 : 1;
    }
    default:
      console.error('Usage: npm run soak -- <ingest-fuzz|kill> [--n N]');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Error: ${(error as Error).message}`);
    process.exit(1);
  },
);
