import Compose from './compose.js';

/** `hardcompose exec`: `docker compose exec` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Exec extends Compose {
  static override summary = 'Run a command in a running container (docker compose exec with the overlay)';
  static override description = "hardcompose's own flags are taken before the service; the service and everything after it go to docker compose exec as given.";
  static override usage = ['exec [FLAGS] [COMPOSE ARGS...]'];
  static override examples: string[] = [];
  static override subcommand = 'exec';
}
