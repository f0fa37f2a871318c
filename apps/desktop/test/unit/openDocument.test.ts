import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@assistant/core/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkOpenRequest, handleOpenDocument, viewerUrl } from '../../src/main/openDocument.js';

const fake = vi.hoisted(() => ({
  shell: { openPath: vi.fn(async (_path: string) => ''), showItemInFolder: vi.fn() },
}));

vi.mock('electron', () => ({ shell: fake.shell, ipcMain: { handle: vi.fn(), removeHandler: vi.fn() }, BrowserWindow: vi.fn(), session: {} }));

const newLogger = (): Logger => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });
const appUrl = 'file:///app/out/renderer/index.html';
const options = () => ({ logger: newLogger(), isAppUrl: (url: string) => url === appUrl });
const appFrame = { senderFrame: { url: appUrl, parent: null } } as unknown as Parameters<typeof handleOpenDocument>[0];

let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'open-document-')));
  for (const name of ['book.pdf', 'Notes.MD', 'report.docx', 'script.sh', 'tool.js', 'photo.png', 'program']) fs.writeFileSync(file(name), 'x');
  fs.mkdirSync(file('folder.pdf'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  fake.shell.openPath.mockClear();
  fake.shell.showItemInFolder.mockClear();
});

describe('checkOpenRequest', () => {
  it('opens PDFs in the viewer at a valid page', async () => {
    expect(await checkOpenRequest({ path: file('book.pdf'), page: 4 })).toEqual({ ok: true, path: file('book.pdf'), page: 4, action: 'viewer' });
  });

  it.each([[0], [-3], [1.5], ['4'], [null], [undefined], [Number.NaN], [10_000_000]])('drops the page %s', async (page) => {
    const result = await checkOpenRequest({ path: file('book.pdf'), page });
    expect(result).toMatchObject({ ok: true, page: null });
  });

  it('hands readable documents to the system, extension case-insensitive', async () => {
    expect(await checkOpenRequest({ path: file('Notes.MD'), page: null })).toMatchObject({ ok: true, action: 'system' });
    expect(await checkOpenRequest({ path: file('report.docx'), page: null })).toMatchObject({ ok: true, action: 'system' });
  });

  it('only shows scripts in their folder: the system might run them', async () => {
    expect(await checkOpenRequest({ path: file('script.sh'), page: null })).toMatchObject({ ok: true, action: 'folder' });
    expect(await checkOpenRequest({ path: file('tool.js'), page: null })).toMatchObject({ ok: true, action: 'folder' });
  });

  it.each([
    ['not an object', 'book.pdf'],
    ['null', null],
    ['no path', {}],
    ['a number', { path: 42 }],
    ['an empty path', { path: '' }],
    ['a relative path', { path: 'book.pdf' }],
    ['a NUL byte', { path: `${path.sep}tmp${path.sep}a\0.pdf` }],
    ['a very long path', { path: `${path.sep}${'a'.repeat(5000)}.pdf` }],
  ])('refuses %s', async (_label, request) => {
    expect(await checkOpenRequest(request)).toMatchObject({ ok: false });
  });

  it('refuses paths with .. segments even when they lead to a real file', async () => {
    const sneaky = `${dir}${path.sep}sub${path.sep}..${path.sep}book.pdf`;
    expect(await checkOpenRequest({ path: sneaky, page: 1 })).toMatchObject({ ok: false, message: 'The document path is not valid.' });
  });

  it('refuses unsupported types and files without extension', async () => {
    expect(await checkOpenRequest({ path: file('photo.png'), page: null })).toMatchObject({ ok: false, message: expect.stringContaining('not a document type') });
    expect(await checkOpenRequest({ path: file('program'), page: null })).toMatchObject({ ok: false });
  });

  it('refuses missing files and folders', async () => {
    expect(await checkOpenRequest({ path: file('gone.pdf'), page: null })).toMatchObject({ ok: false, message: expect.stringContaining('no longer there') });
    expect(await checkOpenRequest({ path: file('folder.pdf'), page: null })).toMatchObject({ ok: false, message: expect.stringContaining('not a file') });
  });
});

describe('handleOpenDocument', () => {
  const viewers = () => ({ open: vi.fn() });

  it('opens a PDF in the viewer and other documents with the system', async () => {
    const pdf = viewers();
    expect(await handleOpenDocument(appFrame, { path: file('book.pdf'), page: 2 }, options(), pdf)).toEqual({ ok: true, how: 'viewer' });
    expect(pdf.open).toHaveBeenCalledWith(file('book.pdf'), 2);
    expect(await handleOpenDocument(appFrame, { path: file('report.docx'), page: null }, options(), pdf)).toEqual({ ok: true, how: 'system' });
    expect(fake.shell.openPath).toHaveBeenCalledWith(file('report.docx'));
    expect(await handleOpenDocument(appFrame, { path: file('script.sh'), page: null }, options(), pdf)).toEqual({ ok: true, how: 'folder' });
    expect(fake.shell.showItemInFolder).toHaveBeenCalledWith(file('script.sh'));
    expect(fake.shell.openPath).toHaveBeenCalledTimes(1);
  });

  it('says so when the system cannot open the file', async () => {
    fake.shell.openPath.mockResolvedValueOnce('No application is registered');
    expect(await handleOpenDocument(appFrame, { path: file('report.docx'), page: null }, options(), viewers())).toMatchObject({
      ok: false,
      message: expect.stringContaining('No application is registered'),
    });
  });

  it.each([
    ['another page', { senderFrame: { url: 'https://evil.example/', parent: null } }],
    ['an iframe of the app', { senderFrame: { url: appUrl, parent: {} } }],
    ['a gone frame', { senderFrame: null }],
  ])('refuses requests from %s without touching the file', async (_label, event) => {
    const pdf = viewers();
    const result = await handleOpenDocument(event as unknown as Parameters<typeof handleOpenDocument>[0], { path: file('book.pdf'), page: 1 }, options(), pdf);
    expect(result.ok).toBe(false);
    expect(pdf.open).not.toHaveBeenCalled();
    expect(fake.shell.openPath).not.toHaveBeenCalled();
  });

  it('refuses a bad path without opening anything', async () => {
    const pdf = viewers();
    expect(await handleOpenDocument(appFrame, { path: file('photo.png'), page: null }, options(), pdf)).toMatchObject({ ok: false });
    expect(pdf.open).not.toHaveBeenCalled();
    expect(fake.shell.openPath).not.toHaveBeenCalled();
  });
});

describe('viewerUrl', () => {
  it('is the file URL with the page fragment, spaces and # escaped', () => {
    const url = viewerUrl(path.join(dir, 'a b#c.pdf'), 7);
    expect(url.startsWith('file://')).toBe(true);
    expect(url.endsWith('/a%20b%23c.pdf#page=7')).toBe(true);
    expect(viewerUrl(file('book.pdf'), null)).not.toContain('#');
  });
});
