/** Commands whose engine does not exist yet say so plainly and fail. */
export function notImplemented(what: string): number {
  process.stderr.write(`vmxlab: ${what} is not implemented in this build yet.\n`);
  return 3;
}
