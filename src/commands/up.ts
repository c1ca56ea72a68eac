import Compose from './compose.js';

/** `hardcompose up`: `docker compose up` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Up extends Compose {
  static override summary = 'Create and start the containers, confined: regenerate stale policies, check the host, load them, then docker compose up';
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose up, in order.';
  static override usage = ['up [FLAGS] [COMPOSE ARGS...]'];
  static override examples = ['<%= config.bin %> up -d', '<%= config.bin %> up -d --frozen', '<%= config.bin %> up -d --allow-unconfined'];
  static override subcommand = 'up';
}
