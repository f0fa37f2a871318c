// SQuAD articles as documents, ingested through the app's normal pipeline: shared by the evaluations.
import fs from 'node:fs';
import path from 'node:path';
import type { ContractClient, HostContract } from '@assistant/core';

export interface SquadQuestion {
  question: string;
  is_impossible?: boolean;
  answers: { text: string }[];
}

export interface SquadArticle {
  title: string;
  paragraphs: { context: string; qas: SquadQuestion[] }[];
}

/** The SQuAD 2.0 development file: `--squad FILE`, else beside ASSISTANT_MODELS_DIR in the shared data; throws naming what it looked for. */
export function squadDevFile(bench: string, explicit: string | undefined): string {
  const file = explicit ?? (process.env.ASSISTANT_MODELS_DIR ? path.join(path.dirname(path.resolve(process.env.ASSISTANT_MODELS_DIR)), 'data/qa/squad2-dev/dev-v2.0.json') : '');
  if (!fs.existsSync(file)) throw new Error(`bench ${bench} needs SQuAD 2.0 dev: pass --squad FILE (looked for "${file}").`);
  return file;
}

/** `--articles 0-7` → the articles of that range (inclusive), checked against the file. */
export function squadArticles(file: string, range: string, flag = '--articles'): { first: number; articles: SquadArticle[] } {
  const match = /^(\d+)-(\d+)$/.exec(range);
  if (!match) throw new Error(`${flag} must look like 0-7, not "${range}".`);
  const [first, last] = [Number(match[1]), Number(match[2])];
  const squad = JSON.parse(fs.readFileSync(file, 'utf8')) as { data: SquadArticle[] };
  const articles = squad.data.slice(first, last + 1);
  if (articles.length !== last - first + 1) throw new Error(`${file} has ${squad.data.length} articles; ${range} is out of range.`);
  return { first, articles };
}

/** Every question of the articles that has an answer. */
export function answerable(articles: readonly SquadArticle[]): SquadQuestion[] {
  return articles.flatMap((article) => article.paragraphs.flatMap((paragraph) => paragraph.qas.filter((qa) => !qa.is_impossible && qa.answers.length > 0)));
}

/** Each article as one Markdown document (its title as the heading, paragraphs as written) in `folder`. */
export function writeArticles(folder: string, first: number, articles: readonly SquadArticle[]): void {
  fs.mkdirSync(folder, { recursive: true });
  articles.forEach((article, i) => {
    const body = article.paragraphs.map((paragraph) => paragraph.context.trim()).join('\n\n');
    fs.writeFileSync(path.join(folder, `${String(first + i).padStart(2, '0')}-${article.title}.md`), `# ${article.title.replaceAll('_', ' ')}\n\n${body}\n`);
  });
}

/** Adds the folder through the contract and waits until every document is ready; returns the seconds it took. */
export async function ingestFolder(client: ContractClient<HostContract>, folder: string): Promise<number> {
  const started = performance.now();
  await client.call('documents.add', { paths: [folder] });
  for (;;) {
    const documents = await client.call('documents.list', {});
    const failed = documents.find((doc) => doc.status === 'failed');
    if (failed) throw new Error(`${failed.name} failed: ${failed.error?.message}`);
    if (documents.every((doc) => doc.status === 'ready')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return (performance.now() - started) / 1000;
}
