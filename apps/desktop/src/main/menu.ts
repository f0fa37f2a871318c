import { Menu, type MenuItemConstructorOptions, app, shell } from 'electron';

export interface MenuActions {
  /** File > New Conversation clicked (the shortcut itself goes straight to the page). */
  newConversation(): void;
  /** The user data folder (database, models, logs), for Help > Show data folder. */
  dataFolder: string;
}

/** The application menu: small on purpose; everything else lives in the window. */
export function installApplicationMenu(actions: MenuActions): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    {
      label: '&File',
      submenu: [
        // The renderer owns Ctrl/Cmd+N (it works the same in browser mode), so the menu only shows the
        // accelerator and lets the key through to the page; a click replays that shortcut.
        { label: 'New Conversation', accelerator: 'CmdOrCtrl+N', registerAccelerator: false, click: () => actions.newConversation() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'Show Data Folder',
          click: () => {
            void shell.openPath(actions.dataFolder);
          },
        },
        ...(isMac ? [] : [{ type: 'separator' }, { label: `About ${app.getName()}`, click: () => app.showAboutPanel() }] satisfies MenuItemConstructorOptions[]),
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
