import Compose from './compose.js';

/** `hardcompose start`: `docker compose start` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Start extends Compose {
  static override summary = 'Start existing containers, after checking the host and loading the policies';
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose start, in order.';
  static override usage = ['start [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'start';
}
