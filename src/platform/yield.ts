/**
 * The one place that yields to the event loop. Core never yields by itself: long core loops take a `yieldFn`
 * (BpeTokenizer.trainAsync), and the services pass this one (the trainer worker passes it to its service too).
 */

/** A macrotask via MessageChannel: lets queued messages (comlink's pause, stop) run, without setTimeout's 4 ms clamp. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}
