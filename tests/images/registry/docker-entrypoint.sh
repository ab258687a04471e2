#!/bin/sh
# No arguments: serve $REGISTRY_CONFIG. A config file as argument: serve that one. Anything else runs as is.
set -eu
case "${1:-}" in
"") set -- docker-registry serve "$REGISTRY_CONFIG" ;;
*.yml | *.yaml) set -- docker-registry serve "$@" ;;
serve | garbage-collect | --* | -*) set -- docker-registry "$@" ;;
esac
exec "$@"
