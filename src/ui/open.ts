import { spawn } from 'node:child_process';

/**
 * Why the browser is not opened, or undefined when it may be: never in CI,
 * and never on a Linux or BSD machine with no display to show it on.
 */
export function noBrowserReason(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.CI) return 'CI is set';
  if (platform !== 'darwin' && platform !== 'win32' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  return undefined;
}

/** Asks the system to open the URL in the default browser; resolves to an error sentence when it could not. */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  // rundll32 takes the URL as one argument; `cmd /c start` would parse it as a command line.
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', (err) => resolve(`could not start '${command}' (${err.message})`));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
}
