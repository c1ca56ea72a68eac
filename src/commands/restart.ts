import Compose from './compose.js';

/** `hardcompose restart`: `docker compose restart` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Restart extends Compose {
  static override summary = 'Restart containers, after checking the host and loading the policies';
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose restart, in order.';
  static override usage = ['restart [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'restart';
}
