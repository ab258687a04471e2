#!/usr/bin/env bash
# Installs the Compose v2 CLI plugin from Debian 13's docker-compose package (Debian 12 has no Compose v2).
# The trixie source lives in its own apt directories so the host's sources and lists are never touched.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MIN_VERSION=2.18 # community.docker's compose modules need it
PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
# Debian's own client looks in /usr/libexec too; both clients must find the same plugin.
PLUGIN_LINK=/usr/libexec/docker/cli-plugins/docker-compose

compose_version() {
	local v
	v=$("$1" compose version --short 2>/dev/null) || return 1
	echo "${v#v}"
}

all_clients_ok() {
	local client v found=
	while read -r client; do
		found=yes
		v=$(compose_version "$client") && version_ge "$v" "$MIN_VERSION" || return 1
	done < <(type -ap docker | awk '!seen[$0]++')
	[[ -n $found ]]
}

if all_clients_ok; then
	echo "compose $(compose_version docker) already available"
	exit 0
fi
need_root "installing the compose plugin"
command -v docker >/dev/null || die "no docker client on PATH: run host-packages.sh first"

apt_root=$RIG_STATE/apt-trixie
deb_dir=$RIG_CACHE/debs
mkdir -p "$apt_root"/{sources.list.d,preferences.d,lists/partial,cache/archives/partial} "$deb_dir"
mirror=$(debian_mirror)
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
	>"$apt_root/sources.list"

apt_trixie() {
	apt-get \
		-o Dir::Etc::SourceList="$apt_root/sources.list" \
		-o Dir::Etc::SourceParts="$apt_root/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$apt_root/preferences.d" \
		-o Dir::State::Lists="$apt_root/lists" \
		-o Dir::Cache="$apt_root/cache" \
		-o APT::Architectures::="$(dpkg --print-architecture)" \
		-o Acquire::Languages=none \
		-o APT::Sandbox::User=root \
		"$@"
}

shopt -s nullglob
debs=("$deb_dir"/docker-compose_*.deb)
if ((${#debs[@]} == 0)); then
	run_logged trixie-apt-update apt_trixie update
	(cd "$deb_dir" && run_logged trixie-download-compose apt_trixie download docker-compose)
	debs=("$deb_dir"/docker-compose_*.deb)
	((${#debs[@]} > 0)) || die "apt-get download docker-compose left no .deb in $deb_dir"
fi
deb=${debs[-1]}

unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg -x "$deb" "$unpacked" || die "cannot unpack $deb (remove it to fetch it again)"
binary=$unpacked/usr/libexec/docker/cli-plugins/docker-compose
[[ -x $binary ]] || die "$deb has no usr/libexec/docker/cli-plugins/docker-compose"
install -D -m 0755 "$binary" "$PLUGIN"
if [[ ! -e $PLUGIN_LINK || -L $PLUGIN_LINK ]]; then
	mkdir -p "$(dirname "$PLUGIN_LINK")"
	ln -sfn "$PLUGIN" "$PLUGIN_LINK"
fi

v=$(compose_version docker) || die "docker compose does not run after installing $PLUGIN"
version_ge "$v" "$MIN_VERSION" || die "docker compose is $v after install, need >= $MIN_VERSION"
all_clients_ok || die "a docker client on PATH ($(type -ap docker | tr '\n' ' ')) does not see compose >= $MIN_VERSION"
echo "installed compose $v from ${deb##*/}"
