// bench-worker.js — the benchmark inside a dedicated module Worker (where
// OPFS storage can use synchronous access handles in-process).  Workers do
// not see the page's import map: the page sends the package URL it resolved.
import { runBench } from './bench-core.js';

self.onmessage = async ({ data }) => {
  try {
    const { open } = await import(data.pkg);
    const result = await runBench({ ...data, open, context: 'worker',
      onStatus: (s) => self.postMessage({ status: s }) });
    self.postMessage({ result });
  } catch (e) {
    self.postMessage({ result: { error: String(e?.stack ?? e) } });
  }
};
