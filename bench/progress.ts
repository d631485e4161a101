/** Progress lines on stderr, stamped with the time since the run began. */
export function createProgress(startedAt: number, quiet = false): (message: string) => void {
  return (message) => {
    if (quiet) return;
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
    process.stderr.write(`[bench +${elapsed}s] ${message}\n`);
  };
}
