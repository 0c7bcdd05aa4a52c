/** Route templates as text, shared by the dispatch path and the reconstruction. */

/** `mount` + `rest`, with one slash between them; a mount of `''` adds nothing. */
export function join(mount: string, rest: string): string {
  if (mount === '') return rest;
  if (rest === '/' || rest === '') return mount;
  const head = mount[0] === '/' ? mount : `/${mount}`;
  return rest[0] === '/' ? head + rest : `${head}/${rest}`;
}

/** A mount path without its trailing slash; `/` mounts nothing. */
export function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path === '/' ? '' : path;
}

/** A path as written: a string, a RegExp's source form, or an array's paths joined by commas. */
export function pathText(path: unknown): string {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(pathText).join(',');
  return String(path);
}
