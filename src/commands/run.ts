import Compose from './compose.js';

/** `hardcompose run`: `docker compose run` with the overlay; see Compose and src/core/passthrough.ts. */
export default class Run extends Compose {
  static override summary = "Run a one-off command in a new container of a service, confined (returns the command's exit code)";
  static override description = "hardcompose's own flags are taken before the service; the service and everything after it (the container's command) go to docker compose run as given. -p is --project-name here: publish ports with --publish.";
  static override usage = ['run [FLAGS] [COMPOSE ARGS...]'];
  static override examples = ["<%= config.bin %> run --rm web sh -c 'exit 7'"];
  static override subcommand = 'run';
}
