import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

interface Props {
  width: number;
  minWidth: number;
  maxWidth: number;
  /** While dragging. */
  onPreview(width: number): void;
  /** Drag ended or a key was pressed; null: back to the default width. */
  onCommit(width: number | null): void;
}

const keyStep = 16;

/**
 * The sidebar's right edge: drag it, or focus it and use the arrow keys (Home and End for the limits);
 * a double-click restores the default width. A focusable separator, as ARIA describes a splitter.
 */
export function SidebarResizer({ width, minWidth, maxWidth, onPreview, onCommit }: Props) {
  const drag = useRef<{ startX: number; startWidth: number; width: number } | null>(null);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { startX: event.clientX, startWidth: width, width };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const current = drag.current;
    if (!current) return;
    current.width = current.startWidth + event.clientX - current.startX;
    onPreview(current.width);
  };
  const onPointerEnd = () => {
    const current = drag.current;
    drag.current = null;
    if (current && current.width !== current.startWidth) onCommit(current.width);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = { ArrowLeft: width - keyStep, ArrowRight: width + keyStep, Home: minWidth, End: maxWidth }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    onCommit(next);
  };

  return (
    <div
      className="sidebar-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the conversation list"
      aria-controls="sidebar"
      aria-valuemin={minWidth}
      aria-valuemax={maxWidth}
      aria-valuenow={width}
      tabIndex={0}
      title="Drag to resize (double-click: default width)"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerEnd}
      onPointerCancel={onPointerEnd}
      onDoubleClick={() => onCommit(null)}
      onKeyDown={onKeyDown}
    />
  );
}
