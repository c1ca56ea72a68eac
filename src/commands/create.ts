import Compose from './compose.js';

/** `hardcompose create`: `docker compose create` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Create extends Compose {
  static override summary = 'Create the containers, confined, without starting them';
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose create, in order.';
  static override usage = ['create [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'create';
}
