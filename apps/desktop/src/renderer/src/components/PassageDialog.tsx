import { useEffect, useRef } from 'react';
import { useModalDialog } from '../useModalDialog';
import { useAssistant } from '../store';
import { citationPlace } from './Sources';

/**
 * The passage cut into what the model read (highlighted) and the rest (context). `spans` are document
 * offsets; a citation without them (stored before answers read sentences) highlights the whole passage.
 */
function readParts(passage: { start: number; text: string }, spans: readonly (readonly [number, number])[] | undefined) {
  if (!spans || spans.length === 0) return [{ text: passage.text, read: true, first: true }];
  const parts: { text: string; read: boolean; first: boolean }[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    const from = Math.max(at, start - passage.start);
    const to = Math.min(passage.text.length, end - passage.start);
    if (to <= from) continue;
    if (from > at) parts.push({ text: passage.text.slice(at, from), read: false, first: false });
    parts.push({ text: passage.text.slice(from, to), read: true, first: !parts.some((part) => part.read) });
    at = to;
  }
  if (at < passage.text.length) parts.push({ text: passage.text.slice(at), read: false, first: false });
  return parts.some((part) => part.read) ? parts : [{ text: passage.text, read: true, first: true }];
}

/**
 * Where a citation points, in browser mode (or when the file cannot be opened): the passage highlighted
 * between the text before and after it. A modal <dialog>: the page behind is inert, so focus stays in
 * here; Escape or Close ends it and focus goes back to what opened it.
 */
export function PassageDialog() {
  const view = useAssistant((s) => s.passageView);
  const close = useAssistant((s) => s.closePassage);
  const closeButton = useRef<HTMLButtonElement>(null);
  const mark = useRef<HTMLElement>(null);
  const open = view !== null;
  const { dialog, onKeyDown } = useModalDialog(open, close, closeButton);

  // The passage sits between its context: bring it into view rather than the text before it.
  const loaded = view?.passage ?? null;
  useEffect(() => {
    if (loaded) mark.current?.scrollIntoView({ block: 'center' });
  }, [loaded]);

  const citation = view?.citation;
  const passage = view?.passage;
  const place = citation ? citationPlace(citation) : '';
  const ocrConfidence = passage?.ocrConfidence ?? citation?.ocrConfidence ?? null;
  // The host judges low quality against the current threshold; the documents list carries its verdict.
  const lowQuality = useAssistant((s) => {
    const page = citation?.page;
    return page != null && (s.documents.find((document) => document.id === citation?.documentId)?.ocr?.lowQualityPages.includes(page) ?? false);
  });

  return (
    <dialog
      ref={dialog}
      className="modal-dialog passage-dialog"
      aria-labelledby="passage-title"
      aria-describedby="passage-place"
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
    >
      {citation && (
        <div className="passage">
          <div className="passage-head">
            <div>
              <h2 id="passage-title" className="passage-title">
                [{citation.n}] {citation.documentName}
              </h2>
              <p id="passage-place" className="passage-place">
                {place || 'Cited passage'}
              </p>
              {ocrConfidence !== null && (
                <p className="passage-ocr">
                  Read by OCR from a scanned page (confidence {Math.round(ocrConfidence)} of 100){lowQuality ? ': low-quality OCR, words may be misread.' : '.'}
                </p>
              )}
            </div>
            <button ref={closeButton} type="button" className="button button-small" onClick={close}>
              Close
            </button>
          </div>
          <div className="passage-body" tabIndex={0} role="region" aria-label="Passage in context">
            {passage ? (
              <p className="passage-text">
                {passage.before && <span className="passage-context">{passage.before}</span>}
                {readParts(passage, citation.spans).map((part, i) =>
                  part.read ? (
                    <mark key={i} ref={part.first ? mark : undefined} className="passage-mark">
                      {part.text}
                    </mark>
                  ) : (
                    <span key={i} className="passage-context">
                      {part.text}
                    </span>
                  ),
                )}
                {passage.after && <span className="passage-context">{passage.after}</span>}
              </p>
            ) : view?.error ? (
              <>
                <p className="passage-error">{view.error} This is the passage as it was cited:</p>
                <p className="passage-text">
                  <mark className="passage-mark">{citation.text}</mark>
                </p>
              </>
            ) : (
              <p className="passage-loading">Loading the passage…</p>
            )}
          </div>
        </div>
      )}
    </dialog>
  );
}
