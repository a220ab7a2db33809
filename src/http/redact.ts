/** Strip secrets from a URL before it is logged: join links carry `?token=`. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|key|secret)=)[^&#]*/gi, '$1[redacted]');
}

export const logRedactPaths = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization'];
