import type { DeliveryOutcome } from '../dispatch/outcomes.js';
import type { DeliveryHandle } from '../plugin-api.js';

/**
 * A delivery's outcome for its handle: the `settled` promise is made only when someone reads it
 * (most handlers never do), so thousands of held deliveries hold no promise each.
 */
export class Settlement {
  private outcome?: DeliveryOutcome;
  private promise?: Promise<DeliveryOutcome>;
  private resolve?: (outcome: DeliveryOutcome) => void;

  handle(id: string): DeliveryHandle {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter's `this` is the handle
    const settlement = this;
    return {
      id,
      get settled() {
        return settlement.settled();
      },
    };
  }

  done(outcome: DeliveryOutcome): void {
    this.outcome = outcome;
    this.resolve?.(outcome);
  }

  private settled(): Promise<DeliveryOutcome> {
    this.promise ??= this.outcome
      ? Promise.resolve(this.outcome)
      : new Promise<DeliveryOutcome>((resolve) => (this.resolve = resolve));
    return this.promise;
  }
}
