import Compose from './compose.js';

/** `hardcompose logs`: `docker compose logs` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Logs extends Compose {
  static override summary = "Show the containers' logs (docker compose logs with the overlay; -f follows here, --file names a compose file)";
  static override description = 'hardcompose\'s own flags are taken wherever they stand; every other argument goes to docker compose logs, in order.';
  static override usage = ['logs [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'logs';
}
