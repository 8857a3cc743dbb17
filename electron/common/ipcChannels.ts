/** The IPC channels between the Electron main process and the preload (one place for both sides). */

/** Renderer → main requests (ipcRenderer.invoke / ipcMain.handle). */
export const invokeChannel = 'wardledger:invoke';
/** Main → renderer events (webContents.send / ipcRenderer.on). */
export const eventChannel = 'wardledger:event';
