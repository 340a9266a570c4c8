/** Opens a link for the person; injected through the context so tests record the links instead. */
export type BrowserOpener = (url: string) => boolean;

/** Open a link in the person's browser: `$BROWSER` when set, else the system opener. Never waits for it. */
export function systemBrowser(env: NodeJS.ProcessEnv): BrowserOpener {
  return (url) => {
    const command = env.BROWSER || (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
    try {
      // Loaded here, not on import: the context carries an opener for every command, and child_process (with
      // net and the stream modules it pulls in) is no part of one that never opens a link.
      const { spawn } = process.getBuiltinModule('node:child_process');
      const child = spawn(command, [url], { detached: true, stdio: 'ignore', env });
      child.on('error', () => undefined);
      child.unref();
      return true;
    } catch {
      return false;
    }
  };
}
