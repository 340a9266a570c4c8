import { spawn } from 'node:child_process';

/** Opens a link for the person; injected through the context so tests record the links instead. */
export type BrowserOpener = (url: string) => boolean;

/** Open a link in the person's browser: `$BROWSER` when set, else the system opener. Never waits for it. */
export function systemBrowser(env: NodeJS.ProcessEnv): BrowserOpener {
  return (url) => {
    const command = env.BROWSER || (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
    try {
      const child = spawn(command, [url], { detached: true, stdio: 'ignore', env });
      child.on('error', () => undefined);
      child.unref();
      return true;
    } catch {
      return false;
    }
  };
}
