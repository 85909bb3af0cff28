import type { Gate } from "./gates.js";
import { type Answered, type ShareClient, send } from "./share-client.js";

/**
 * A gate used as its users use it: wait at the gate, send, and on a 429 wait at the gate again
 * and resend, until the request is accepted or `giveUpAt` has passed. The caller sees the last
 * answer.
 */
export function gatedClient(gate: Gate, url: string): ShareClient {
  return {
    async request(giveUpAt): Promise<Answered> {
      const slots: number[] = [];
      for (;;) {
        const slot = await gate.next();
        if (slot !== undefined) slots.push(slot);
        const status = await send(url, slot);
        if (status !== 429 || performance.now() >= giveUpAt) return { status, slots };
      }
    },
    close: () => gate.close(),
  };
}
