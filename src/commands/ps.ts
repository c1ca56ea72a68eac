import Compose from './compose.js';

/** `hardcompose ps`: `docker compose ps` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Ps extends Compose {
  static override summary = "List the project's containers (docker compose ps with the overlay)";
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose ps, in order.';
  static override usage = ['ps [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'ps';
}
