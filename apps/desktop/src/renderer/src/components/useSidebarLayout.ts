import { useCallback, useEffect, useLayoutEffect, useState } from 'react';
import { isBoolean, isNumber, readPreference, writePreference } from '../preferences';

export const minSidebarWidth = 200;
/** The rail a collapsed sidebar leaves: room for its two icon buttons. */
const collapsedWidth = 52;

/** Wider than it used to be (titles were cut at 260 px), yet never more than a third of a small window. */
export function defaultSidebarWidth(viewport: number): number {
  return Math.round(Math.min(340, Math.max(240, viewport * 0.24)));
}

/** Half the window at most, so the conversation always keeps room. */
export function maxSidebarWidth(viewport: number): number {
  return Math.max(minSidebarWidth, Math.min(600, Math.floor(viewport / 2)));
}

export function clampSidebarWidth(width: number, viewport: number): number {
  return Math.min(maxSidebarWidth(viewport), Math.max(minSidebarWidth, Math.round(width)));
}

/**
 * The sidebar's width (dragged or keyed, remembered) and whether it is collapsed to a rail (remembered).
 * The width reaches the page's grid as the --sidebar-width variable on the root element.
 */
export function useSidebarLayout() {
  const [viewport, setViewport] = useState(() => window.innerWidth);
  const [stored, setStored] = useState<number | null>(() => readPreference<number | null>('sidebarWidth', null, isNumber));
  const [collapsed, setCollapsedState] = useState(() => readPreference('sidebarCollapsed', false, isBoolean));
  const width = clampSidebarWidth(stored ?? defaultSidebarWidth(viewport), viewport);

  useEffect(() => {
    const onResize = () => setViewport(window.innerWidth);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  useLayoutEffect(() => {
    document.documentElement.style.setProperty('--sidebar-width', `${collapsed ? collapsedWidth : width}px`);
  }, [collapsed, width]);

  /** While dragging: follows the pointer without storing every pixel. */
  const previewWidth = useCallback((next: number) => setStored(clampSidebarWidth(next, window.innerWidth)), []);
  /** null goes back to the default (double-click on the handle). */
  const commitWidth = useCallback((next: number | null) => {
    const value = next === null ? null : clampSidebarWidth(next, window.innerWidth);
    setStored(value);
    writePreference('sidebarWidth', value);
  }, []);
  const setCollapsed = useCallback((next: boolean) => {
    setCollapsedState(next);
    writePreference('sidebarCollapsed', next);
  }, []);

  return { width, minWidth: minSidebarWidth, maxWidth: maxSidebarWidth(viewport), collapsed, previewWidth, commitWidth, setCollapsed };
}
