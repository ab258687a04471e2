#!/bin/sh
# No arguments: serve $SINAPUM_REGISTRY_CONFIG. A config file as argument: serve that one. Anything else runs as is.
set -eu
case "${1:-}" in
"") set -- docker-registry serve "$SINAPUM_REGISTRY_CONFIG" ;;
*.yml | *.yaml) set -- docker-registry serve "$@" ;;
serve | garbage-collect | --* | -*) set -- docker-registry "$@" ;;
esac
exec "$@"
