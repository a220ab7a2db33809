/**
 * What every chat-service process shares: its configuration (JSON in FIREDRILL_CHAT_CONFIG), a
 * plain line log on stdout (the platform points stdout at the component's log file), and the IPC
 * channel to the platform. A child exits when that channel closes, so no process outlives the server.
 */

export function readConfig<T>(): T {
  const raw = process.env.FIREDRILL_CHAT_CONFIG;
  if (!raw) {
    console.error('FIREDRILL_CHAT_CONFIG is not set; this process is started by the firedrill platform');
    process.exit(2);
  }
  return JSON.parse(raw) as T;
}

export function log(level: 'INFO' | 'WARN' | 'ERROR', msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${level.padEnd(5)} ${msg}\n`);
}

export interface ParentMessage {
  type: 'config';
  config: unknown;
}

/** Wire the IPC channel: exit on disconnect, hand live reconfigurations to `onConfig`. */
export function attachToParent(onConfig?: (config: unknown) => void): void {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    log('INFO', 'received SIGTERM, shutting down');
    process.exit(0);
  });
  process.on('message', (m: ParentMessage) => {
    if (m?.type === 'config' && onConfig) {
      onConfig(m.config);
      process.send?.({ type: 'configured' });
    }
  });
  if (!process.connected) process.exit(0);
}

export function ready(port: number): void {
  process.send?.({ type: 'ready', port });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
