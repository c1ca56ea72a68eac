import Compose from './compose.js';

/** `hardcompose down`: `docker compose down` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Down extends Compose {
  static override summary = 'Stop and remove the containers (docker compose down with the overlay)';
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose down, in order.';
  static override usage = ['down [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'down';
}
