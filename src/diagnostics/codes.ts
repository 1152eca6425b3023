/**
 * The closed catalogue of diagnostic codes. Every code is documented in docs/errors.md;
 * a test keeps the two in sync, so a new code cannot ship undocumented.
 */
export const CODES = {
  // Reading files
  FILE_NOT_FOUND: 'A file that must exist is missing.',
  FILE_UNREADABLE: 'A file exists but cannot be read.',
  FILE_TOO_LARGE: 'A configuration file is larger than berth accepts.',
  // YAML
  YAML_SYNTAX: 'The file is not valid YAML.',
  YAML_DUPLICATE_KEY: 'A mapping has the same key twice.',
  YAML_ALIAS_BOMB: 'YAML aliases expand to more nodes than berth accepts (a "billion laughs" document).',
  YAML_UNSUPPORTED: 'A YAML feature berth does not accept in configuration, such as a non-string key or an unknown tag.',
  // Interpolation
  VAR_SYNTAX: 'A ${...} expression is malformed.',
  VAR_REQUIRED: 'A variable marked required with ${VAR:?message} or ${VAR?message} is not set.',
  VAR_UNDEFINED: 'A compose file uses a variable that no root, host, .env file or secret defines.',
  VAR_UNSET: 'A variable is not set in this context; compose would substitute an empty string.',
  // Schemas
  SCHEMA: 'A value does not have the shape the schema requires.',
  UNKNOWN_KEY: 'A key is not one the file format knows (often a typo).',
  // Compose semantics
  COMPOSE_NOT_FOUND: 'A stack folder has no compose file.',
  COMPOSE_AMBIGUOUS: 'A stack folder has more than one compose file.',
  EXTENDS_INVALID: 'An extends reference names a service or file that does not exist, or forms a cycle.',
  INCLUDE_INVALID: 'An include entry names a file that cannot be loaded, or forms a cycle.',
  SERVICE_NO_IMAGE: 'A service has neither an image nor a build section.',
  DEPENDS_UNKNOWN: 'A service depends on, or shares the network of, a service that does not exist.',
  NETWORK_UNKNOWN: 'A service uses a network that is not declared.',
  VOLUME_UNKNOWN: 'A service mounts a named volume that is not declared.',
  SECRET_UNKNOWN: 'A service uses a secret or config that is not declared at the top level.',
  PORT_INVALID: 'A port mapping cannot be parsed.',
  VOLUME_INVALID: 'A volume mapping cannot be parsed.',
  // Repository semantics
  REPO_NOT_FOUND: 'The directory is not a berth repository (no berth.yml or hosts.yml).',
  UNKNOWN_STACK: 'A host or stack names a stack that does not exist.',
  UNKNOWN_ROOT: 'A setting names a root variable that berth.yml does not define.',
  STACK_NAME_INVALID: 'A stack folder name is not a safe compose project name.',
  PORT_CONFLICT: 'Two stacks on one host publish the same host port and protocol.',
  CONTAINER_NAME_CONFLICT: 'Two services on one host use the same container_name.',
  UNKNOWN_PROFILE: 'A host or stack turns on a compose profile that no service declares.',
  START_ORDER_CYCLE: 'Services of a stack (depends_on, network_mode: service:, volumes_from), or stacks (after:), wait for each other in a circle.',
  UNIT_NAME_CONFLICT: 'Two services on one host would get the same unit or container name (<stack>-<service>).',
  PROXY_HOST_CONFLICT: 'Two stacks on one host claim the same reverse-proxy host name.',
  PROXY_LAN_ONLY_UNSAFE: 'A lanOnly proxy entry is served by a proxy whose port forwarding hides client addresses, so it cannot tell LAN clients from others.',
  SCHEDULE_INVALID: 'A schedule in berth.yml is not a systemd calendar expression.',
  SECRET_MISSING: 'A secret file that a stack references does not exist.',
  REFERENCED_FILE_MISSING: 'A file that a compose file references (env_file, bind mount source, build context) does not exist.',
  STACK_UNUSED: 'A stack folder is not run by any host.',
  DIR_OWNER_CONFLICT: 'A stack.yml dirs entry gives a directory an owner other than the user a service\'s :U mount of it chowns it to at every start.',
  // Internal
  INTERNAL: 'berth itself failed; please report it.',
} as const;

export type Code = keyof typeof CODES;
