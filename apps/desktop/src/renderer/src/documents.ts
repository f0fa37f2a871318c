import type { AddDocumentsResult, Citation, DocumentInfo, DocumentsChanged, Passage } from '@assistant/core';
import { ErrorCode, toErrorPayload } from '@assistant/core';
import type { StoreApi } from 'zustand';
import { baseName, isSupportedName, supportedFormatsText, uploadFile, type PickedFile } from './files';
import type { AssistantState } from './store';
import { plural } from './format';

/** One file of the last add, as the user should read it. */
export interface AddOutcome {
  key: string;
  name: string;
  status: 'queued' | 'skipped' | 'failed';
  /** Why it was skipped or failed, in plain words. */
  reason: string | null;
  /** The queued document, so the report can follow it to Ready or Failed. */
  documentId: string | null;
}

export interface AddReport {
  id: number;
  /** Files handled so far and in all; done === total once finished. */
  done: number;
  total: number;
  outcomes: AddOutcome[];
}

export interface PassageView {
  citation: Citation;
  passage: (Passage & { before: string; after: string }) | null;
  error: string | null;
}

/** Statuses during which a document is still being worked on (and can be cancelled). */
export const activeStatuses: ReadonlySet<DocumentInfo['status']> = new Set(['queued', 'parsing', 'embedding']);

/**
 * What the panel shows. Re-indexing a ready document (or adding a changed file) makes the host create a
 * new version that replaces the old one once ready; the old one stays searchable meanwhile. The user sees
 * one row per file: while a newer version of the same path is being indexed, the older one is not listed.
 */
export function visibleDocuments(documents: readonly DocumentInfo[]): DocumentInfo[] {
  const newestActive = new Map<string, number>();
  for (const document of documents) {
    if (activeStatuses.has(document.status)) newestActive.set(document.path, Math.max(newestActive.get(document.path) ?? 0, document.createdAt));
  }
  return documents.filter((document) => {
    const newer = newestActive.get(document.path);
    return newer === undefined || activeStatuses.has(document.status) || document.createdAt >= newer;
  });
}

/** What the header, the status bar and the panel count: the visible documents, how many fail and how many are being indexed. */
export function documentCounts(documents: readonly DocumentInfo[]): { visible: DocumentInfo[]; failed: number; indexing: number } {
  const visible = visibleDocuments(documents);
  return {
    visible,
    failed: visible.filter((document) => document.status === 'failed').length,
    indexing: visible.filter((document) => activeStatuses.has(document.status)).length,
  };
}

/**
 * Each row's React key (by document id): the file's path while it is the only row of that path, so a
 * re-index that swaps in a new version (a new id) updates the row in place and keeps focus and an open
 * confirmation; the id when two versions of one path are listed (the old one stays if the new one failed).
 */
export function rowKeys(shown: readonly DocumentInfo[]): Map<string, string> {
  const perPath = new Map<string, number>();
  for (const document of shown) perPath.set(document.path, (perPath.get(document.path) ?? 0) + 1);
  return new Map(shown.map((document) => [document.id, perPath.get(document.path) === 1 ? `path:${document.path}` : `id:${document.id}`]));
}

/** "1, 2 and 5", or "1-120" style lists of page numbers, short enough for one line. */
export function pageList(pages: readonly number[], max = 8): string {
  const shown = pages.slice(0, max).join(', ');
  return pages.length > max ? `${shown} and ${pages.length - max} more` : shown;
}

/** While OCR runs: "OCR page 2 of 3" and how far it is, as a percentage. */
export function ocrProgress(document: DocumentInfo): { text: string; percent: number } | null {
  const progress = document.status === 'parsing' ? document.ocr?.progress : null;
  if (!progress) return null;
  return { text: `OCR page ${progress.index} of ${progress.total}`, percent: Math.round(((progress.index - 1) / Math.max(1, progress.total)) * 100) };
}

/** What the panel says about a document's OCR once read: low-quality pages and pages over the limit. */
export function ocrNotes(document: DocumentInfo): string[] {
  const ocr = document.ocr;
  if (!ocr || document.status === 'failed' || document.status === 'cancelled') return [];
  const notes: string[] = [];
  const low = ocr.lowQualityPages;
  if (low.length > 0) {
    const where = document.format === 'image' && (document.pages ?? 1) <= 1 ? 'this picture' : `page${low.length === 1 ? '' : 's'} ${pageList(low)}`;
    notes.push(`Low-quality OCR on ${where}: its text may be misread, so answers from it may be wrong.`);
  }
  if (ocr.skippedPages > 0) notes.push(`${plural(ocr.skippedPages, 'page')} ${ocr.skippedPages === 1 ? 'was' : 'were'} not read: over the OCR page limit in Settings.`);
  return notes;
}

/** The documents panel's part of the store: the list with live progress, adding, and showing a cited passage. */
export interface DocumentsSlice {
  documents: DocumentInfo[];
  documentsLoaded: boolean;
  /** Why the list could not be read (e.g. the host runs without the document library), shown in the panel. */
  documentsError: string | null;
  documentsOpen: boolean;
  addReport: AddReport | null;
  passageView: PassageView | null;

  loadDocuments(): Promise<void>;
  onDocumentChanged(change: DocumentsChanged): void;
  setDocumentsOpen(open: boolean): void;
  /** Electron: files and folders by their real paths. */
  addPaths(paths: string[], unresolved?: string[]): Promise<void>;
  /** Browser mode: each file's bytes, one upload at a time. */
  uploadFiles(files: PickedFile[]): Promise<void>;
  dismissAddReport(): void;
  removeDocument(id: string): Promise<void>;
  reindexDocuments(id?: string): Promise<void>;
  cancelDocument(id: string): Promise<void>;
  /** Shows where a citation points: the document itself (Electron) or the passage in a dialog. */
  openCitation(citation: Citation): Promise<void>;
  closePassage(): void;
}

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];

let reportSeq = 0;
let passageSeq = 0;
/** Ids of removed documents: ids are never reused, so a list read before a removal cannot bring one back. */
const removedIds = new Set<string>();

/** Newest first, so what was just added is at the top. */
function sorted(documents: DocumentInfo[]): DocumentInfo[] {
  return [...documents].sort((a, b) => b.createdAt - a.createdAt || a.name.localeCompare(b.name));
}

function upsert(documents: readonly DocumentInfo[], changed: readonly DocumentInfo[]): DocumentInfo[] {
  const byId = new Map(documents.map((document) => [document.id, document]));
  for (const document of changed) {
    if (removedIds.has(document.id)) continue;
    const known = byId.get(document.id);
    // Events and call results can cross: never step back to an older state of the same document.
    if (!known || known.updatedAt <= document.updatedAt) byId.set(document.id, document);
  }
  return sorted([...byId.values()]);
}

/** "already in your documents" reads better than a path in a sentence. */
function outcomesOf(result: AddDocumentsResult): AddOutcome[] {
  return [
    ...result.queued.map((document) => ({ key: `q-${document.id}`, name: document.name, status: 'queued' as const, reason: null, documentId: document.id })),
    ...result.skipped.map((skip, index) => ({ key: `s-${index}-${skip.path}`, name: baseName(skip.path), status: 'skipped' as const, reason: skip.reason, documentId: null })),
  ];
}

export function createDocumentsSlice(set: SetState, get: GetState): DocumentsSlice {
  function startReport(total: number): number {
    const id = ++reportSeq;
    set({ addReport: { id, done: 0, total, outcomes: [] }, documentsOpen: true });
    return id;
  }
  function report(id: number, outcomes: AddOutcome[], done: number): void {
    set((s) => (s.addReport?.id === id ? { addReport: { ...s.addReport, done: s.addReport.done + done, outcomes: [...s.addReport.outcomes, ...outcomes] } } : {}));
  }

  return {
    documents: [],
    documentsLoaded: false,
    documentsError: null,
    documentsOpen: false,
    addReport: null,
    passageView: null,

    async loadDocuments() {
      const client = get().client;
      if (!client) return;
      try {
        const list = await client.call('documents.list', {});
        set({ documents: sorted(list.filter((document) => !removedIds.has(document.id))), documentsLoaded: true, documentsError: null });
      } catch (error) {
        const { code, message } = toErrorPayload(error);
        if (code !== ErrorCode.TransportClosed) set({ documentsError: message });
      }
    },

    onDocumentChanged({ id, document }) {
      if (!document) removedIds.add(id);
      set((s) => {
        if (!document) return { documents: s.documents.filter((item) => item.id !== id) };
        // A version that became ready replaced the older ones of the same file (the host deleted them).
        const replaced = document.status === 'ready' ? (item: DocumentInfo) => item.path === document.path && item.createdAt < document.createdAt && !activeStatuses.has(item.status) : () => false;
        return { documents: upsert(s.documents.filter((item) => !replaced(item)), [document]) };
      });
    },

    setDocumentsOpen(open) {
      set({ documentsOpen: open });
    },

    async addPaths(paths, unresolved = []) {
      const client = get().client;
      if (!client) return;
      const id = startReport(paths.length + unresolved.length);
      report(id, unresolved.map((name, index) => ({ key: `u-${index}-${name}`, name, status: 'skipped', reason: 'it has no location on disk', documentId: null })), unresolved.length);
      if (paths.length === 0) return;
      try {
        const result = await client.call('documents.add', { paths });
        set((s) => ({ documents: upsert(s.documents, result.queued) }));
        report(id, outcomesOf(result), paths.length);
      } catch (error) {
        report(id, paths.map((path, index) => ({ key: `f-${index}-${path}`, name: baseName(path), status: 'failed', reason: toErrorPayload(error).message, documentId: null })), paths.length);
      }
    },

    async uploadFiles(files) {
      const client = get().client;
      if (!client || files.length === 0) return;
      const id = startReport(files.length);
      for (const [index, { file, label, error }] of files.entries()) {
        const key = `${index}-${label}`;
        if (!file) {
          report(id, [{ key, name: label, status: 'failed', reason: error, documentId: null }], 1);
          continue;
        }
        if (!isSupportedName(file.name)) {
          report(id, [{ key, name: label, status: 'skipped', reason: `unsupported file type (the assistant reads ${supportedFormatsText})`, documentId: null }], 1);
          continue;
        }
        try {
          const result = await uploadFile(client, file, label);
          set((s) => ({ documents: upsert(s.documents, result.queued) }));
          // The host names an upload by its stored copy; show the name the user dropped.
          report(id, outcomesOf(result).map((outcome) => ({ ...outcome, key, name: label })), 1);
        } catch (error) {
          report(id, [{ key, name: label, status: 'failed', reason: toErrorPayload(error).message, documentId: null }], 1);
        }
      }
    },

    dismissAddReport() {
      set({ addReport: null });
    },

    async removeDocument(id) {
      const client = get().client;
      if (!client) return;
      try {
        const { removed } = await client.call('documents.remove', { id });
        if (removed) get().onDocumentChanged({ id, document: null });
      } catch (error) {
        get().reportError(error);
      }
    },

    async reindexDocuments(id) {
      const client = get().client;
      if (!client) return;
      try {
        await client.call('documents.reindex', id ? { id } : {});
      } catch (error) {
        get().reportError(error);
      }
    },

    async cancelDocument(id) {
      const client = get().client;
      if (!client) return;
      try {
        await client.call('documents.cancel', { id });
      } catch (error) {
        get().reportError(error);
      }
    },

    async openCitation(citation) {
      const bridge = window.assistantBridge;
      if (bridge) {
        try {
          const result = await bridge.openDocument({ path: citation.path, page: citation.page });
          if (result.ok) return;
          get().reportError(new Error(result.message));
        } catch (error) {
          get().reportError(error);
        }
        // The file is gone or cannot be opened: the stored passage still shows what was cited.
      }
      const client = get().client;
      const seq = ++passageSeq;
      set({ passageView: { citation, passage: null, error: null } });
      if (!client) {
        set({ passageView: { citation, passage: null, error: 'Not connected to the assistant.' } });
        return;
      }
      try {
        const passage = await client.call('documents.passage', { chunkId: citation.chunkId });
        if (seq === passageSeq && get().passageView?.citation === citation) set({ passageView: { citation, passage, error: null } });
      } catch (error) {
        if (seq === passageSeq && get().passageView?.citation === citation) set({ passageView: { citation, passage: null, error: toErrorPayload(error).message } });
      }
    },

    closePassage() {
      passageSeq++;
      set({ passageView: null });
    },
  };
}
