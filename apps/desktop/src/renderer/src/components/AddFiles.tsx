import { useRef, type ChangeEvent } from 'react';
import { filesFromCapture } from '../files';
import { useAssistant } from '../store';
import { addDropped } from './DropOverlay';

/** "Add files…" and "Add folder…": the same routes as a drop (real paths in Electron, bytes in the browser). */
export function AddFiles() {
  const connected = useAssistant((s) => s.client !== null);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const files = Array.from(input.files ?? []);
    // Reset, so picking the same file again still fires a change.
    input.value = '';
    if (files.length === 0) return;
    const bridge = window.assistantBridge;
    if (bridge) {
      void addDropped({ all: files, files, entries: [] });
      return;
    }
    // A picked folder arrives as its files, each with webkitRelativePath.
    void filesFromCapture({ all: files, files, entries: [] }).then((picked) => useAssistant.getState().uploadFiles(picked));
  };

  return (
    <>
      <button type="button" className="button button-small button-primary" disabled={!connected} onClick={() => filesInput.current?.click()}>
        Add files…
      </button>
      <button type="button" className="button button-small" disabled={!connected} onClick={() => folderInput.current?.click()}>
        Add folder…
      </button>
      <input ref={filesInput} type="file" multiple hidden tabIndex={-1} aria-hidden="true" onChange={onChange} data-testid="add-files-input" />
      <input ref={folderInput} type="file" multiple hidden tabIndex={-1} aria-hidden="true" onChange={onChange} {...{ webkitdirectory: '' }} />
    </>
  );
}
