import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * Documents in the browser (serve mode, a real host): drop files on the window, watch them get indexed,
 * ask about them, and follow an answer's sources to the cited passage.
 */

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
// The shared test data sits next to the shared models folder.
const docsDir = modelsDir ? path.join(path.dirname(modelsDir), 'data', 'docs', 'markdown') : '';
const installation = 'ch01-01-installation.md';
const vectors = 'ch08-01-vectors.md';
const hasDocs = docsDir !== '' && fs.existsSync(path.join(docsDir, installation)) && fs.existsSync(path.join(docsDir, vectors));
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);
const question = 'How do I install rustup on Linux?';

interface DropFile {
  name: string;
  base64?: string;
  /** Text made in the page instead of sent as bytes (large files). */
  repeat?: { text: string; times: number; tail: string };
}
const fromDocs = (name: string): DropFile => ({ name, base64: fs.readFileSync(path.join(docsDir, name)).toString('base64') });

/** Plays a drag of files onto the window: dragenter (the overlay shows), dragover, drop, as Chromium fires them. */
async function dropFiles(page: Page, files: DropFile[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const { name, base64, repeat } of items) {
      const content = repeat ? repeat.text.repeat(repeat.times) + repeat.tail : Uint8Array.from(atob(base64 ?? ''), (char) => char.charCodeAt(0));
      transfer.items.add(new File([content], name, { type: name.endsWith('.md') ? 'text/markdown' : 'application/octet-stream' }));
    }
    return transfer;
  }, files);
  await page.dispatchEvent('main', 'dragenter', { dataTransfer });
  await expect(page.getByText('Drop files or folders to add them to your documents')).toBeVisible();
  await page.dispatchEvent('main', 'dragover', { dataTransfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  await expect(page.getByText('Drop files or folders to add them to your documents')).toHaveCount(0);
}

function documentsPanel(page: Page) {
  return page.getByRole('complementary', { name: 'Documents' });
}

/** Drops the two chapters and waits until both are Ready in the panel. */
async function addChapters(page: Page): Promise<void> {
  await dropFiles(page, [fromDocs(installation), fromDocs(vectors)]);
  const panel = documentsPanel(page);
  await expect(panel).toBeVisible();
  const report = panel.getByRole('region', { name: 'Added files' });
  const list = panel.getByRole('list', { name: 'Your documents' });
  for (const name of [installation, vectors]) {
    await expect(list.getByRole('listitem').filter({ hasText: name })).toContainText('Ready', { timeout: 60_000 });
  }
  // The report follows the files to the end, and ends with the counts.
  await expect(report).toContainText(`${installation} — added`);
  await expect(report).toContainText(`${vectors} — added`);
  await expect(report.getByRole('status')).toHaveText('Done: 2 added, 0 skipped, 0 failed.');
  await expect(page.getByRole('status').first()).toContainText(/Documents\s*2/);
}

/** Asks the question and returns the finished reply. */
async function ask(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 60_000 });
  return page.getByRole('log').locator('.message-assistant').last();
}

/** The reply lists the installation chapter as a source, and opening it shows the passage dialog. */
async function expectSourcesAndPassage(page: Page, reply: ReturnType<Page['locator']>, screenshot?: string): Promise<void> {
  const sources = reply.getByRole('list', { name: 'Sources' });
  await expect(sources).toContainText(installation);
  const source = sources.getByRole('button', { name: new RegExp(installation.replace(/\./g, '\\.')) }).first();
  await expect(source).toHaveText(/^\[\d+\]/);
  await source.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading')).toContainText(installation);
  // One mark per stretch the model read (a passage can be read in parts).
  const mark = dialog.locator('mark').first();
  await expect(mark).not.toBeEmpty();
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  if (screenshot) await page.screenshot({ path: screenshot });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // Focus goes back to the source that opened it.
  await expect(source).toBeFocused();
}

test.describe('documents in the browser', () => {
  test.skip(!modelsDir, 'needs ASSISTANT_MODELS_DIR (the shared data folder is found next to it)');
  test.skip(!hasDocs, `needs ${installation} and ${vectors} in ${docsDir || '<models>/../data/docs/markdown'}`);
  test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;

  test.beforeAll(async () => {
    app = await serveApp();
    await app.client.call('settings.update', { maxTokens: 40 });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('drop two files, wait for Ready, ask, and follow a source to its passage', async ({ page }, testInfo) => {
    await page.goto(app.url);
    await expect(page.getByRole('status').first()).toContainText(/ready/i);

    // Empty state first: it says what can be dropped.
    await page.getByRole('button', { name: /^Documents/ }).click();
    await expect(documentsPanel(page)).toContainText('No documents yet');
    await expect(documentsPanel(page)).toContainText('PDF, DOCX, EPUB, HTML, Markdown');

    await addChapters(page);
    await page.screenshot({ path: testInfo.outputPath('documents-panel.png') });

    const reply = await ask(page, question);
    await expectSourcesAndPassage(page, reply);
    await page.screenshot({ path: testInfo.outputPath('answer-with-sources.png') });

    // Citations are stored with the message: a reload shows them again.
    await page.reload();
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button').first().click();
    const reopened = page.getByRole('log').locator('.message-assistant').last();
    await expect(reopened.getByRole('list', { name: 'Sources' })).toContainText(installation);
  });

  test('dropping the same file again, an unsupported one or a broken one says why, and the summary follows them', async ({ page }, testInfo) => {
    // Its own state: the chapter is in the documents already, whether or not an earlier test put it there.
    await app.client.call('documents.add', { paths: [path.join(docsDir, installation)] });
    await expect.poll(async () => (await app.client.call('documents.list', {})).some((doc) => doc.name === installation && doc.status === 'ready'), { timeout: 60_000 }).toBe(true);
    await page.goto(app.url);
    const broken = { name: 'broken.pdf', base64: Buffer.from('%PDF-1.7 this is not really a PDF').toString('base64') };
    await dropFiles(page, [fromDocs(installation), { name: 'clip.mp4', base64: Buffer.from('not a document').toString('base64') }, broken]);
    const report = documentsPanel(page).getByRole('region', { name: 'Added files' });
    await expect(report).toContainText(/clip\.mp4 — skipped: unsupported file type/);
    await expect(report).toContainText(new RegExp(`${installation.replace(/\./g, '\\.')} — skipped: .+`));
    // The broken file is queued first; the report follows it to its failure and then sums up.
    await expect(report).toContainText(/broken\.pdf — failed: .+/, { timeout: 60_000 });
    await expect(report.getByRole('status')).toHaveText('Done: 0 added, 2 skipped, 1 failed.');
    // The documents count says how many failed.
    await expect(page.getByRole('button', { name: /^Documents/ })).toHaveText(/Documents \(\d+ · 1 failed\)/);
    await page.screenshot({ path: testInfo.outputPath('add-report-failed.png') });
  });

  test('a file larger than one WebSocket message is uploaded in slices and ingested', async ({ page }) => {
    await page.goto(app.url);
    // About 6 MB: more than the 4 MiB a single message to the host may carry.
    await dropFiles(page, [{ name: 'logbook.md', repeat: { text: 'The keeper logged the weather at dawn and dusk. ', times: 125_000, tail: '\n\nThe final entry mentions the Quetzalcoatl buoy.\n' } }]);
    const row = documentsPanel(page).getByRole('list', { name: 'Your documents' }).getByRole('listitem').filter({ hasText: 'logbook.md' });
    await expect(row).toContainText('Ready', { timeout: 90_000 });
    const { hits } = await app.client.call('documents.search', { query: 'Quetzalcoatl buoy', k: 1, mode: 'bm25' });
    expect(hits[0]?.documentName).toBe('logbook.md');
  });

  test('the documents panel works from the keyboard: re-index, then remove after confirming', async ({ page }) => {
    // Its own document, whatever ran before (already there: skipped as a duplicate).
    await app.client.call('documents.add', { paths: [path.join(docsDir, vectors)] });
    await page.goto(app.url);
    const toggle = page.getByRole('button', { name: /^Documents/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const panel = documentsPanel(page);
    const row = panel.getByRole('listitem').filter({ hasText: vectors });
    await expect(row).toContainText('Ready', { timeout: 60_000 });

    await row.getByRole('button', { name: `Re-index ${vectors}` }).focus();
    await page.keyboard.press('Enter');
    // A re-index replaces the document with a new version; the panel keeps one row for it throughout.
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Ready', { timeout: 60_000 });

    await row.getByRole('button', { name: `Remove ${vectors}` }).focus();
    await page.keyboard.press('Enter');
    // The confirmation takes focus; Keep returns to Remove, Remove removes.
    const confirm = row.getByRole('button', { name: 'Remove', exact: true });
    await expect(confirm).toBeFocused();
    // A new version swapped in while the question is open (a re-index finishing, or one from another
    // window) keeps the row, its question and the focus.
    const versionOf = async () => (await app.client.call('documents.list', {})).find((doc) => doc.name === vectors && doc.status === 'ready')?.id;
    const before = await versionOf();
    await app.client.call('documents.reindex', { id: before });
    await expect.poll(async () => (await versionOf()) ?? before, { timeout: 60_000 }).not.toBe(before);
    await expect(row).toHaveCount(1);
    await expect(confirm).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(row.getByRole('button', { name: `Remove ${vectors}` })).toBeFocused();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect(panel.getByRole('listitem').filter({ hasText: vectors })).toHaveCount(0);
    // The row went with the focused button: focus continues from the panel's heading, not the page.
    await expect(panel.getByRole('heading', { name: 'Documents' })).toBeFocused();
  });
});

test.describe('retrieval-only answers without a chat model', () => {
  test.skip(!hasDocs, `needs ${installation} and ${vectors} in ${docsDir || '<ASSISTANT_MODELS_DIR>/../data/docs/markdown'}`);
  let app: ServedApp;

  test.beforeAll(async () => {
    app = await serveApp({ modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'empty-models-')) });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('answers with the best passages, [n] markers lead to the sources', async ({ page }, testInfo) => {
    await page.goto(app.url);
    await addChapters(page);
    const reply = await ask(page, question);
    const marker = reply.locator('.message-text').getByRole('button', { name: new RegExp(`^Source \\d+: ${installation.replace(/\./g, '\\.')}`) }).first();
    await expect(marker).toBeVisible();
    await marker.click();
    // The marker moves focus to its source in the list.
    await expect(reply.getByRole('list', { name: 'Sources' }).getByRole('button', { name: new RegExp(installation.replace(/\./g, '\\.')) }).first()).toBeFocused();
    await page.screenshot({ path: testInfo.outputPath('retrieval-only-answer.png') });
    await expectSourcesAndPassage(page, reply, testInfo.outputPath('passage-dialog.png'));
  });
});
