import { useEffect, useState } from 'react';
import { captureDrop, filesFromCapture, type DropCapture } from '../files';
import { useAssistant } from '../store';

const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/**
 * Files and folders dropped anywhere on the window become documents. While files are dragged over the
 * window a full-window overlay says what a drop will do; a drop without files (text, links) is ignored.
 */
export function DropOverlay() {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    // dragenter/dragleave fire for every child element crossed: count them to know when the drag left.
    let depth = 0;
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      // Without this the browser opens the file instead of letting us have it.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = useAssistant.getState().client ? 'copy' : 'none';
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!event.dataTransfer || !hasFiles(event)) return;
      event.preventDefault();
      // The DataTransfer is emptied when this handler returns: take what it holds now.
      void addDropped(captureDrop(event.dataTransfer));
    };
    // A drag that ends elsewhere (Escape, dropped outside the window) must not leave the overlay up.
    const onEnd = () => {
      depth = 0;
      setDragging(false);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    window.addEventListener('dragend', onEnd);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('dragend', onEnd);
    };
  }, []);

  if (!dragging) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <svg viewBox="0 0 24 24" width="36" height="36">
          <path d="M12 4v11M7 10l5 5 5-5M5 19h14" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <p className="drop-title">Drop files or folders to add them to your documents</p>
        <p className="drop-note">They are read and indexed on this computer.</p>
      </div>
    </div>
  );
}

/** Electron: the files' real paths (folders included, the host walks them). Browser: their bytes. */
export async function addDropped(capture: DropCapture): Promise<void> {
  const store = useAssistant.getState();
  const bridge = window.assistantBridge;
  if (bridge) {
    const named = capture.all.map((file) => ({ name: file.name, path: bridge.pathForFile(file) }));
    await store.addPaths(
      named.filter((item) => item.path).map((item) => item.path),
      named.filter((item) => !item.path).map((item) => item.name),
    );
    return;
  }
  try {
    await store.uploadFiles(await filesFromCapture(capture));
  } catch (error) {
    store.reportError(error);
  }
}
